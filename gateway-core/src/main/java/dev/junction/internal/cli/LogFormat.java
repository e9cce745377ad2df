package dev.junction.internal.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One line per log record on standard error: {@code 2026-11-26T10:00:00.123Z INFO  junction.gateway: message}.
 * Junction, Vert.x, Netty and plugins all log through {@code java.util.logging}.
 */
public final class LogFormat extends Formatter {

    /** Installs this format on the root logger; {@code JUNCTION_LOG_LEVEL} (such as FINE) sets the level. */
    public static void install(String level) {
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        ConsoleHandler handler = new ConsoleHandler();
        handler.setFormatter(new LogFormat());
        Level parsed;
        try {
            parsed = level == null || level.isBlank() ? Level.INFO : Level.parse(level.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            parsed = Level.INFO;
        }
        handler.setLevel(parsed);
        root.setLevel(parsed);
        root.addHandler(handler);
    }

    @Override
    public String format(LogRecord record) {
        StringBuilder line = new StringBuilder(160)
                .append(Instant.ofEpochMilli(record.getMillis())).append(' ')
                .append(levelName(record.getLevel())).append(' ')
                .append(record.getLoggerName()).append(": ")
                .append(formatMessage(record)).append('\n');
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.append(trace);
        }
        return line.toString();
    }

    private static String levelName(Level level) {
        int value = level.intValue();
        if (value >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (value >= Level.WARNING.intValue()) {
            return "WARN ";
        }
        if (value >= Level.INFO.intValue()) {
            return "INFO ";
        }
        return "DEBUG";
    }
}
