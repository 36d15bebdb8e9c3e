package io.queuedeck.engine.callback;

import okhttp3.HttpUrl;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where callbacks may go. A destination inside the network (loopback, private, carrier-grade NAT,
 * link-local, unique-local, multicast, unspecified, reserved, cloud metadata) is refused unless an
 * {@code allowed_hosts} entry names it; when the list is not empty, nothing else may be named.
 *
 * <p>An entry is {@code host}, {@code host:port}, {@code host:*} or {@code [v6]:port}. Without a
 * port it allows the web ports 80 and 443 only, so listing a host does not open its other services
 * (see docs/decisions/0017).
 *
 * <p>Judged twice: {@link #judge} at submission and before every attempt reads the URL alone (no
 * DNS: literal addresses in every spelling, known internal names, the allow-list and its ports);
 * {@link GuardedDns} judges the addresses a name resolves to, at connect time.
 */
final class Destinations {
    /** Names of cloud metadata services and of this machine; refused before any lookup. */
    private static final Set<String> INSIDE_NAMES = Set.of("localhost", "metadata.google.internal", "metadata.goog",
            "metadata", "instance-data", "instance-data.ec2.internal", "metadata.azure.internal");
    /** What OkHttp takes for an IPv4 literal and connects to without asking the resolver. */
    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");
    private static final Pattern NUMERIC_PART = Pattern.compile("0[xX][0-9a-fA-F]*|[0-9]+");
    private static final int ANY_PORT = -1;

    /** Host (lower case, no trailing dot, IPv6 without brackets) to the ports allowed; {@code ANY_PORT} for all. */
    private final Map<String, Set<Integer>> allowed;

    private Destinations(Map<String, Set<Integer>> allowed) {
        this.allowed = allowed;
    }

    /**
     * @param entries {@code allowed_hosts}: empty allows every destination outside the network
     * @throws IllegalArgumentException naming a malformed entry
     */
    static Destinations of(Collection<String> entries) {
        Map<String, Set<Integer>> allowed = new HashMap<>();
        for (String entry : entries) {
            Entry e = Entry.parse(entry);
            allowed.computeIfAbsent(e.host, h -> new HashSet<>()).addAll(e.ports);
        }
        Map<String, Set<Integer>> frozen = new HashMap<>();
        allowed.forEach((host, ports) -> frozen.put(host, Set.copyOf(ports)));
        return new Destinations(Map.copyOf(frozen));
    }

    /** One allow-list entry. */
    private record Entry(String host, Set<Integer> ports) {
        static Entry parse(String raw) {
            String entry = raw == null ? "" : raw.strip();
            if (entry.contains("://")) { // "http://x" read as host "http" with port "//x": a message about the port
                throw bad(raw, "give a host, not a URL (hooks.example.com, not https://hooks.example.com)");
            }
            String host = entry;
            String port = null;
            if (entry.startsWith("[")) {
                int close = entry.indexOf(']');
                if (close < 0) {
                    throw bad(raw, "an IPv6 address needs its closing ']'");
                }
                host = entry.substring(1, close);
                String rest = entry.substring(close + 1);
                if (!rest.isEmpty()) {
                    if (!rest.startsWith(":")) {
                        throw bad(raw, "expected ':port' after ']'");
                    }
                    port = rest.substring(1);
                }
            } else if (entry.indexOf(':') != entry.lastIndexOf(':')) {
                throw bad(raw, "write an IPv6 address in brackets, as [fd00::1]:8443");
            } else if (entry.indexOf(':') >= 0) {
                host = entry.substring(0, entry.indexOf(':'));
                port = entry.substring(entry.indexOf(':') + 1);
            }
            if (host.isEmpty() || host.contains("/") || host.contains("@")) {
                throw bad(raw, "expected host, host:port or host:*");
            }
            Set<Integer> ports;
            if (port == null) {
                ports = Set.of(80, 443);
            } else if (port.equals("*")) {
                ports = Set.of(ANY_PORT);
            } else {
                try {
                    int p = Integer.parseInt(port);
                    if (p < 1 || p > 65_535) {
                        throw new NumberFormatException();
                    }
                    ports = Set.of(p);
                } catch (NumberFormatException e) {
                    throw bad(raw, "the port must be a number from 1 to 65535, or *");
                }
            }
            HttpUrl url = HttpUrl.parse("http://" + (host.contains(":") ? "[" + host + "]" : host) + "/");
            if (url == null) {
                throw bad(raw, "'" + host + "' is not a host name or address");
            }
            return new Entry(normalize(url.host()), ports);
        }

        private static IllegalArgumentException bad(String raw, String why) {
            return new IllegalArgumentException("callback allowed host '" + raw + "' is malformed: " + why);
        }
    }

    /** True when the allow-list names {@code host} (any port): its addresses are the operator's to vouch for. */
    boolean trusts(String host) {
        return allowed.containsKey(normalize(host));
    }

    /**
     * Why a callback may not go to {@code url}, judged without DNS; empty when it may (a name is
     * judged again by what it resolves to, when connecting). Messages never repeat the URL, which
     * may hold secrets.
     */
    Optional<String> judge(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException | NullPointerException e) {
            return Optional.of("callback_url is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of("callback_url must be an http or https URL");
        }
        HttpUrl parsed = HttpUrl.parse(url); // the parser that will connect: judge what it sees
        if (parsed == null || uri.getRawAuthority() == null) {
            return Optional.of("callback_url must name a host (and a port from 1 to 65535, if any)");
        }
        if (uri.getRawUserInfo() != null || !parsed.username().isEmpty() || !parsed.password().isEmpty()) {
            return Optional.of("callback_url must not carry credentials (user:password@); authenticate the"
                    + " callback with its signature instead");
        }
        String host = normalize(parsed.host());
        int port = parsed.port();
        if (!allowed.isEmpty()) {
            Set<Integer> ports = allowed.get(host);
            if (ports == null) {
                return Optional.of("callback_url host '" + host + "' is not on this server's callback allow-list");
            }
            if (!ports.contains(ANY_PORT) && !ports.contains(port)) {
                return Optional.of("callback_url port " + port + " is not allowed for host '" + host
                        + "' by this server's callback allow-list");
            }
            return Optional.empty(); // listed: an inside destination is allowed on purpose
        }
        if (INSIDE_NAMES.contains(host) || host.endsWith(".localhost")) {
            return Optional.of("callback_url host '" + host + "' is internal (loopback or a cloud metadata service)");
        }
        Optional<InetAddress> literal;
        try {
            literal = literal(host);
        } catch (IllegalArgumentException e) {
            return Optional.of("callback_url host '" + host + "' " + e.getMessage());
        }
        return literal.flatMap(Destinations::inside)
                .map(why -> "callback_url address " + host + " is " + why + "; callbacks may not reach inside the network");
    }

    /**
     * The address a literal host stands for, in any spelling a resolver might accept; empty for a
     * name. For numbers with leading zeros or hex parts both readings (C's octal, Java's decimal)
     * are judged, the worse one kept.
     */
    static Optional<InetAddress> literal(String host) {
        try {
            if (host.contains(":")) {
                return Optional.of(InetAddress.getByName("[" + host + "]")); // an IPv6 literal: parsed, never looked up
            }
            String[] parts = host.split("\\.", -1);
            boolean numeric = parts.length >= 1 && parts.length <= 4;
            for (String part : parts) {
                numeric &= NUMERIC_PART.matcher(part).matches();
            }
            if (!numeric) {
                if (DIGITS_AND_DOTS.matcher(host).matches()) {
                    throw new IllegalArgumentException("is neither a name nor a valid IPv4 address");
                }
                return Optional.empty();
            }
            InetAddress asC = ipv4(parts, true);
            InetAddress asJava = ipv4(parts, false);
            if (asC == null && asJava == null) {
                throw new IllegalArgumentException("is neither a name nor a valid IPv4 address");
            }
            if (asJava == null || (asC != null && inside(asC).isPresent())) {
                return Optional.of(asC);
            }
            return Optional.of(asJava);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("is not a valid IP address");
        }
    }

    /** {@code inet_aton} rules (1 to 4 parts, the last filling the rest); {@code c}: 0x hex and 0 octal. */
    private static InetAddress ipv4(String[] parts, boolean c) throws UnknownHostException {
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            try {
                if (p.startsWith("0x") || p.startsWith("0X")) {
                    if (!c) {
                        return null;
                    }
                    values[i] = p.length() == 2 ? 0 : Long.parseLong(p.substring(2), 16);
                } else if (c && p.length() > 1 && p.startsWith("0")) {
                    values[i] = Long.parseLong(p.substring(1), 8);
                } else {
                    values[i] = Long.parseLong(p);
                }
            } catch (NumberFormatException e) {
                return null;
            }
        }
        long address = 0;
        for (int i = 0; i < values.length - 1; i++) {
            if (values[i] > 255) {
                return null;
            }
            address = address << 8 | values[i];
        }
        int restBits = 8 * (5 - values.length);
        long last = values[values.length - 1];
        if (last >= 1L << restBits) {
            return null;
        }
        address = address << restBits | last;
        return InetAddress.getByAddress(new byte[] {(byte) (address >> 24), (byte) (address >> 16),
                (byte) (address >> 8), (byte) address});
    }

    /** What kind of inside address this is ("loopback", "private", ...); empty for a public one. */
    static Optional<String> inside(InetAddress address) {
        if (address instanceof Inet4Address) {
            return inside4(address.getAddress());
        }
        byte[] a = address.getAddress();
        if (address instanceof Inet6Address) {
            if (isZero(a, 0, 10) && (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff) {
                return inside4(slice(a, 12)).map(why -> why + " (IPv4-mapped)");
            }
            if (isZero(a, 0, 8) && (a[8] & 0xff) == 0xff && (a[9] & 0xff) == 0xff && isZero(a, 10, 12)) {
                return inside4(slice(a, 12)).map(why -> why + " (IPv4-translated)"); // ::ffff:0:0:0/96
            }
            if (isZero(a, 0, 12)) {
                if (isZero(a, 12, 16)) {
                    return Optional.of("unspecified");
                }
                if (isZero(a, 12, 15) && a[15] == 1) {
                    return Optional.of("loopback");
                }
                return inside4(slice(a, 12)).map(why -> why + " (IPv4-compatible)");
            }
            int first = a[0] & 0xff;
            int second = a[1] & 0xff;
            if (first == 0x00 && second == 0x64 && (a[2] & 0xff) == 0xff && (a[3] & 0xff) == 0x9b && isZero(a, 4, 12)) {
                return inside4(slice(a, 12)).map(why -> why + " (NAT64)"); // 64:ff9b::/96
            }
            if (first == 0x00 && second == 0x64 && (a[2] & 0xff) == 0xff && (a[3] & 0xff) == 0x9b && a[4] == 0 && a[5] == 1) {
                return Optional.of("a local NAT64 translation prefix"); // 64:ff9b:1::/48: where the IPv4 sits varies
            }
            if (first == 0x20 && second == 0x01 && a[2] == 0 && a[3] == 0) {
                return Optional.of("a Teredo tunnel"); // 2001::/32: the client's IPv4 is hidden in the address
            }
            if (first == 0x20 && second == 0x02) {
                return inside4(slice(a, 2)).map(why -> why + " (6to4)"); // 2002::/16
            }
            if (first == 0x20 && second == 0x01 && a[2] == 0 && a[3] == 2 && a[4] == 0 && a[5] == 0) {
                return Optional.of("reserved (benchmarking)"); // 2001:2::/48, as 198.18.0.0/15
            }
            if (first == 0x20 && second == 0x01 && (a[2] & 0xff) == 0x0d && (a[3] & 0xff) == 0xb8
                    || first == 0x3f && second == 0xff && (a[2] & 0xf0) == 0) {
                return Optional.of("reserved (documentation)"); // 2001:db8::/32, 3fff::/20 (RFC 9637)
            }
            if (first == 0xfd && second == 0x00 && (a[2] & 0xff) == 0x0e && (a[3] & 0xff) == 0xc2
                    && isZero(a, 4, 14) && (a[14] & 0xff) == 0x02 && (a[15] & 0xff) == 0x54) {
                return Optional.of("a cloud metadata service"); // fd00:ec2::254
            }
            if (first == 0xfe && (second & 0xc0) == 0x80) {
                return Optional.of("link-local");
            }
            if (first == 0xfe && (second & 0xc0) == 0xc0) {
                return Optional.of("site-local");
            }
            if ((first & 0xfe) == 0xfc) {
                return Optional.of("unique-local (private)");
            }
            if (first == 0xff) {
                return Optional.of("multicast");
            }
            if (first == 0x01 && second == 0x00 && isZero(a, 2, 8)) {
                return Optional.of("reserved (discard-only)"); // 100::/64
            }
        }
        return Optional.empty();
    }

    private static Optional<String> inside4(byte[] a) {
        int b0 = a[0] & 0xff;
        int b1 = a[1] & 0xff;
        int b2 = a[2] & 0xff;
        int b3 = a[3] & 0xff;
        if (b0 == 169 && b1 == 254 && b2 == 169 && b3 == 254 || b0 == 168 && b1 == 63 && b2 == 129 && b3 == 16) {
            return Optional.of("a cloud metadata service"); // and Azure's WireServer, which hands out VM configuration
        }
        if (b0 == 0) {
            return Optional.of("unspecified (this network)");
        }
        if (b0 == 127) {
            return Optional.of("loopback");
        }
        if (b0 == 10 || (b0 == 172 && (b1 & 0xf0) == 16) || (b0 == 192 && b1 == 168)) {
            return Optional.of("private");
        }
        if (b0 == 100 && (b1 & 0xc0) == 64) {
            return Optional.of("shared address space (carrier-grade NAT)");
        }
        if (b0 == 169 && b1 == 254) {
            return Optional.of("link-local");
        }
        if (b0 == 192 && b1 == 0 && b2 == 0) {
            return Optional.of("reserved (IETF protocol assignments)");
        }
        if (b0 == 198 && (b1 & 0xfe) == 18) {
            return Optional.of("reserved (benchmarking)");
        }
        if ((b0 == 192 && b1 == 0 && b2 == 2) || (b0 == 198 && b1 == 51 && b2 == 100) || (b0 == 203 && b1 == 0 && b2 == 113)) {
            return Optional.of("reserved (documentation)"); // TEST-NET-1, -2, -3: no real service lives there
        }
        if (b0 == 192 && b1 == 88 && b2 == 99) {
            return Optional.of("reserved (6to4 relay anycast)");
        }
        if (b0 >= 224 && b0 <= 239) {
            return Optional.of("multicast");
        }
        if (b0 >= 240) {
            return Optional.of("reserved (or broadcast)");
        }
        return Optional.empty();
    }

    private static boolean isZero(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] slice(byte[] a, int from) {
        return new byte[] {a[from], a[from + 1], a[from + 2], a[from + 3]};
    }

    /** Lower case, without brackets or the trailing dot of a fully qualified name. */
    static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        while (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }
}
