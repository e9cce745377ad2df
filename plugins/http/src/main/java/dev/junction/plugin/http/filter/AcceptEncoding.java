package dev.junction.plugin.http.filter;

import java.util.List;
import java.util.Locale;

/**
 * Chooses a content coding from an {@code Accept-Encoding} header (RFC 9110 12.5.3): the acceptable coding with
 * the highest q-value among those the gateway offers, ties going to the gateway's order; {@code q=0} refuses a
 * coding, {@code *} stands for every coding not named.
 */
final class AcceptEncoding {

    private AcceptEncoding() {
    }

    /** Returns the chosen coding out of {@code offered} (in preference order), or null for none (identity). */
    static String choose(String acceptEncoding, List<String> offered) {
        if (acceptEncoding == null || acceptEncoding.isBlank()) {
            return null;
        }
        double[] quality = new double[offered.size()];
        boolean[] named = new boolean[offered.size()];
        double star = -1;
        for (String element : acceptEncoding.split(",")) {
            String[] parts = element.split(";");
            String coding = parts[0].strip().toLowerCase(Locale.ROOT);
            if (coding.isEmpty()) {
                continue;
            }
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String parameter = parts[i].strip();
                if (parameter.length() > 2 && (parameter.startsWith("q=") || parameter.startsWith("Q="))) {
                    q = parseQuality(parameter.substring(2).strip());
                }
            }
            if (coding.equals("*")) {
                star = q;
                continue;
            }
            if (coding.equals("x-gzip")) {
                coding = "gzip";
            }
            int index = offered.indexOf(coding);
            if (index >= 0 && (!named[index] || q > quality[index])) {
                quality[index] = named[index] ? Math.max(quality[index], q) : q;
                named[index] = true;
            }
        }
        String best = null;
        double bestQuality = 0;
        for (int i = 0; i < offered.size(); i++) {
            double q = named[i] ? quality[i] : Math.max(star, 0);
            if (q > bestQuality) {
                best = offered.get(i);
                bestQuality = q;
            }
        }
        return best;
    }

    /** Parses a qvalue ({@code 0}, {@code 0.5}, {@code 1.000}); an invalid one counts as 0, refusing the coding. */
    private static double parseQuality(String text) {
        if (text.isEmpty() || text.length() > 5 || !(text.charAt(0) == '0' || text.charAt(0) == '1')) {
            return 0;
        }
        try {
            double value = Double.parseDouble(text);
            return value >= 0 && value <= 1 ? value : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
