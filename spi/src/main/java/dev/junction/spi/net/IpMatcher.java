package dev.junction.spi.net;

import dev.junction.spi.config.ConfigNode;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * An immutable set of IPv4 and IPv6 CIDR blocks, for source matches, allow and deny lists and trusted proxies.
 * IPv4-mapped IPv6 client addresses ({@code ::ffff:10.0.0.1}) match IPv4 blocks. Never resolves a name.
 *
 * <pre>{@code
 * IpMatcher trusted = IpMatcher.parse(options.get("trusted-proxies"));   // [10.0.0.0/8, ::1]
 * if (trusted.contains(IpMatcher.addressBytes(request.remoteAddress()))) { ... }
 * }</pre>
 */
public final class IpMatcher {

    private static final String EXPECTED = " (expected: an IPv4 or IPv6 CIDR such as 10.0.0.0/8, 127.0.0.1 or fd00::/8)";

    private final Block[] blocks;

    private IpMatcher(List<Block> blocks) {
        this.blocks = blocks.toArray(Block[]::new);
    }

    /** Parses a list of CIDRs; a missing node gives an empty matcher. Errors name the offending element. */
    public static IpMatcher parse(ConfigNode node) {
        if (node.isMissing()) {
            return new IpMatcher(List.of());
        }
        if (!node.isList()) {
            throw node.error(node.unwrap() + " (expected: a list of CIDRs such as [10.0.0.0/8, ::1/128])");
        }
        List<Block> blocks = new ArrayList<>();
        for (ConfigNode element : node.elements()) {
            if (!element.isScalar()) {
                throw element.error(element.unwrap() + EXPECTED);
            }
            String text = element.asString().trim();
            Block block = Block.parse(text);
            if (block == null) {
                throw element.error('"' + text + '"' + EXPECTED);
            }
            blocks.add(block);
        }
        return new IpMatcher(blocks);
    }

    /** Returns whether the set has no blocks. */
    public boolean isEmpty() {
        return blocks.length == 0;
    }

    /** Returns whether {@code address} (an IP literal's bytes, or null when unknown) lies in one of the blocks. */
    public boolean contains(byte[] address) {
        if (address == null) {
            return false;
        }
        for (Block block : blocks) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns the bytes of a socket address's IP (4 for IPv4 and IPv4-mapped IPv6, 16 for IPv6), or null when it is
     * not an IP socket address.
     */
    public static byte[] addressBytes(SocketAddress address) {
        if (address == null || !address.isInetSocket()) {
            return null;
        }
        String literal = address.hostAddress() != null ? address.hostAddress() : address.host();
        return literal == null ? null : parseLiteral(literal);
    }

    /** Parses an IP literal without ever resolving a name; returns null when {@code text} is not one. */
    public static byte[] parseLiteral(String text) {
        if (text.indexOf(':') >= 0) {
            String literal = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
            try {
                // A string containing ':' is only ever parsed as an IPv6 literal, never looked up.
                InetAddress address = InetAddress.getByName(literal);
                return address.getAddress();
            } catch (UnknownHostException | SecurityException e) {
                return null;
            }
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                return null;
            }
            int value = Integer.parseInt(part);
            if (value > 255) {
                return null;
            }
            bytes[i] = (byte) value;
        }
        return bytes;
    }

    private record Block(byte[] network, int prefix) {

        static Block parse(String text) {
            int slash = text.indexOf('/');
            String literal = slash < 0 ? text : text.substring(0, slash);
            byte[] network = parseLiteral(literal);
            if (network == null) {
                return null;
            }
            int prefix = network.length * 8;
            if (slash >= 0) {
                String bits = text.substring(slash + 1);
                if (bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(Character::isDigit)) {
                    return null;
                }
                prefix = Integer.parseInt(bits);
                // ::ffff:10.0.0.0/104 parses to an IPv4 address; its prefix counts the 96 mapping bits.
                if (network.length == 4 && literal.indexOf(':') >= 0) {
                    prefix -= 96;
                }
                if (prefix < 0 || prefix > network.length * 8) {
                    return null;
                }
            }
            return new Block(mask(network, prefix), prefix);
        }

        private static byte[] mask(byte[] address, int prefix) {
            byte[] masked = address.clone();
            for (int bit = prefix; bit < masked.length * 8; bit++) {
                masked[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
            }
            return masked;
        }

        public boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (address[full] & mask) == (network[full] & mask);
        }
    }
}
