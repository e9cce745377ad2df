package dev.junction.example.echo;

import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

/** Collects formatted log lines. */
final class RecordingLogger implements System.Logger {
    final List<String> lines = new CopyOnWriteArrayList<>();

    public String getName() {
        return "junction.echo";
    }

    public boolean isLoggable(Level level) {
        return true;
    }

    public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
        lines.add(message);
    }

    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        lines.add(params == null || params.length == 0 ? format : MessageFormat.format(format, params));
    }
}
