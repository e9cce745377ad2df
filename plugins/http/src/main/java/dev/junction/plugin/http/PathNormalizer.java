package dev.junction.plugin.http;

/**
 * Normalises a request path before routing, so that a route and the upstream see the same path however a client
 * spells it: percent-encoded unreserved characters are decoded ({@code %41} is {@code A}), other percent-encodings
 * are upper-cased ({@code %2f} is {@code %2F}, never decoded, so an encoded slash stays data), and {@code .} and
 * {@code ..} segments are removed (RFC 3986 5.2.4; {@code ..} never climbs above the root). Runs of slashes are
 * kept: they are significant to some upstreams.
 */
final class PathNormalizer {

    private PathNormalizer() {
    }

    /**
     * Returns the normalised path, the same instance when nothing changes (the common case costs one scan), or
     * {@code null} when the path is invalid: not starting with {@code /}, a bad percent-encoding, or a control,
     * space or non-ASCII character.
     */
    static String normalize(String path) {
        int length = path.length();
        if (length == 0 || path.charAt(0) != '/') {
            return null;
        }
        boolean needsWork = false;
        for (int i = 0; i < length; i++) {
            char c = path.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return null;
            }
            if (c == '%') {
                needsWork = true;
            } else if (c == '.' && path.charAt(i - 1) == '/') {
                needsWork = true;
            }
        }
        if (!needsWork) {
            return path;
        }
        String decoded = decodeUnreserved(path);
        if (decoded == null) {
            return null;
        }
        String result = removeDotSegments(decoded);
        return result.equals(path) ? path : result;
    }

    private static String decodeUnreserved(String path) {
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 2 >= path.length()) {
                return null;
            }
            int high = Character.digit(path.charAt(i + 1), 16);
            int low = Character.digit(path.charAt(i + 2), 16);
            if (high < 0 || low < 0) {
                return null;
            }
            char decoded = (char) (high * 16 + low);
            if (isUnreserved(decoded)) {
                out.append(decoded);
            } else {
                out.append('%').append(Character.toUpperCase(path.charAt(i + 1)))
                        .append(Character.toUpperCase(path.charAt(i + 2)));
            }
            i += 2;
        }
        return out.toString();
    }

    private static boolean isUnreserved(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    /** RFC 3986 section 5.2.4, for an absolute path. */
    static String removeDotSegments(String path) {
        String[] segments = path.substring(1).split("/", -1);
        String[] stack = new String[segments.length];
        int depth = 0;
        boolean trailingSlash = false;
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            if (segment.equals(".")) {
                trailingSlash = last;
            } else if (segment.equals("..")) {
                if (depth > 0) {
                    depth--;
                }
                trailingSlash = last;
            } else {
                stack[depth++] = segment;
                trailingSlash = false;
            }
        }
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < depth; i++) {
            out.append('/').append(stack[i]);
        }
        if (trailingSlash || out.length() == 0) {
            out.append('/');
        }
        return out.toString();
    }
}
