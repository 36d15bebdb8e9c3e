package io.queuedeck.console.gateway;

import java.util.Locale;

/**
 * How the console joins a queue shared in Redis as one of its nodes (docs/distributed.md).
 *
 * @param redisUri {@code redis://HOST:PORT[/DB]}
 * @param node     this console's node name; null: {@code console-<host name>}
 * @param queue    the shared queue's name
 */
public record ClusterSettings(String redisUri, String node, String queue) {

    /** The node name in effect: the given one, else one made from the host name. */
    public String nodeName() {
        if (node != null) {
            return node;
        }
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = System.getenv().getOrDefault("HOSTNAME", "local");
        }
        String name = "console-" + host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_.-]", "-");
        return name.length() > 64 ? name.substring(0, 64) : name;
    }
}
