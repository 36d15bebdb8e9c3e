package io.queuedeck.console.activity;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.queuedeck.console.gateway.OperatorDesk;
import io.queuedeck.engine.audit.AuditEntry;
import io.queuedeck.engine.audit.AuditExport;
import io.queuedeck.engine.audit.AuditPage;
import io.queuedeck.engine.audit.AuditQuery;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The Activity screen: the audit trail (decision 0041), newest first, searchable, exportable as
 * CSV or JSON. New entries show as they are recorded, from the console and the REST API alike. FX thread.
 */
public final class ActivityViewModel {
    /** Entries shown at once; the search narrows, the export takes up to the largest page. */
    public static final int SHOWN = 1_000;
    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT).build();

    private final OperatorDesk desk;
    private final Executor files;
    private final Executor fx;
    private final StringProperty query = new SimpleStringProperty(this, "query", "");
    private final ObservableList<AuditEntry> entries = FXCollections.observableArrayList();
    private final ObservableList<AuditEntry> readOnly = FXCollections.unmodifiableObservableList(entries);
    private final StringProperty message = new SimpleStringProperty(this, "message", "");

    /**
     * @param files writes exported files (the FX thread never waits for a disk)
     * @param fx    the FX thread, told when a file is written
     */
    public ActivityViewModel(OperatorDesk desk, Executor files, Executor fx) {
        this.desk = desk;
        this.files = files;
        this.fx = fx;
        query.addListener((o, a, b) -> refresh());
        desk.onAudit(entry -> refresh());
        refresh();
    }

    /** Shows the entries that match the search text, newest first. */
    public void refresh() {
        AuditPage page = desk.audit(query(0, SHOWN));
        entries.setAll(page.entries());
        message.set(page.total() == 0 ? "No activity" + (blank() ? " yet" : " matches")
                : entries(page.total()) + (page.total() > SHOWN ? ", newest " + SHOWN + " shown" : ""));
    }

    /** "1 entry", "2 entries" ("1 entries" read at the top of the screen). */
    static String entries(long n) {
        return String.format(Locale.ROOT, "%,d %s", n, n == 1 ? "entry" : "entries");
    }

    /**
     * Writes the matching entries (up to {@value AuditQuery#MAX_LIMIT}) to {@code file}: CSV or JSON
     * by its extension. The entries are read now; the file is written on the files executor and the
     * message says when it is done.
     */
    public void export(Path file) {
        List<AuditEntry> page = desk.audit(query(0, AuditQuery.MAX_LIMIT)).entries();
        message.set("Writing " + entries(page.size()) + " to " + file);
        files.execute(() -> {
            String done;
            try {
                if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")) {
                    Files.write(file, JSON.writeValueAsBytes(page));
                } else {
                    Files.writeString(file, AuditExport.csv(page), StandardCharsets.UTF_8);
                }
                done = entries(page.size()) + " written to " + file;
            } catch (IOException e) {
                done = "Could not write " + file + ": " + e.getMessage();
            }
            String shown = done;
            fx.execute(() -> message.set(shown));
        });
    }

    private AuditQuery query(int offset, int limit) {
        return new AuditQuery(blank() ? null : query.get().trim(), null, null, null, null, offset, limit);
    }

    private boolean blank() {
        return query.get() == null || query.get().isBlank();
    }

    public StringProperty queryProperty() { return query; }
    public ObservableList<AuditEntry> entries() { return readOnly; }
    public ReadOnlyStringProperty messageProperty() { return message; }
}
