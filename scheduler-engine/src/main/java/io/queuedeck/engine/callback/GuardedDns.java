package io.queuedeck.engine.callback;

import okhttp3.Dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Resolves callback hosts and refuses a name that leads inside the network: judged on the
 * addresses it resolves to when connecting, so a public-looking name pointing at 127.0.0.1 or
 * 169.254.169.254, or one re-pointed after submission, is refused too. One inside address
 * refuses the name (a resolver could return a public address first and an inside one next).
 * Names on the allow-list are the operator's to vouch for and pass unjudged.
 */
final class GuardedDns implements Dns {
    private final Dns resolver;
    private final Destinations destinations;

    GuardedDns(Dns resolver, Destinations destinations) {
        this.resolver = resolver;
        this.destinations = destinations;
    }

    @Override
    public List<InetAddress> lookup(String hostname) throws UnknownHostException {
        List<InetAddress> addresses = resolver.lookup(hostname);
        if (destinations.trusts(hostname)) {
            return addresses;
        }
        for (InetAddress address : addresses) {
            Optional<String> inside = Destinations.inside(address);
            if (inside.isPresent()) {
                throw new RefusedDestinationException("callback host '" + Destinations.normalize(hostname)
                        + "' resolves to " + address.getHostAddress() + ", which is " + inside.get()
                        + "; callbacks may not reach inside the network");
            }
        }
        return addresses;
    }

    /** A destination refused when connecting: final, never retried. */
    static final class RefusedDestinationException extends UnknownHostException {
        RefusedDestinationException(String message) {
            super(message);
        }
    }
}
