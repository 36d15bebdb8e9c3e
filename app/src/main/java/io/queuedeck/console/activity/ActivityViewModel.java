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
import java.util.Locale;
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
    private final StringProperty query = new SimpleStringProperty(this, "query", "");
    private final ObservableList<AuditEntry> entries = FXCollections.observableArrayList();
    private final ObservableList<AuditEntry> readOnly = FXCollections.unmodifiableObservableList(entries);
    private final StringProperty message = new SimpleStringProperty(this, "message", "");

    public ActivityViewModel(OperatorDesk desk) {
        this.desk = desk;
        query.addListener((o, a, b) -> refresh());
        desk.onAudit(entry -> refresh());
        refresh();
    }

    /** Shows the entries that match the search text, newest first. */
    public void refresh() {
        AuditPage page = desk.audit(query(0, SHOWN));
        entries.setAll(page.entries());
        message.set(page.total() == 0 ? "No activity" + (blank() ? " yet" : " matches")
                : String.format(Locale.ROOT, "%,d entries%s", page.total(), page.total() > SHOWN ? ", newest " + SHOWN + " shown" : ""));
    }

    /** Writes the matching entries (up to {@value AuditQuery#MAX_LIMIT}) to {@code file}: CSV or JSON by its extension. */
    public void export(Path file) {
        AuditPage page = desk.audit(query(0, AuditQuery.MAX_LIMIT));
        try {
            if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")) {
                Files.write(file, JSON.writeValueAsBytes(page.entries()));
            } else {
                Files.writeString(file, AuditExport.csv(page.entries()), StandardCharsets.UTF_8);
            }
            message.set(String.format(Locale.ROOT, "%,d entries written to %s", page.entries().size(), file));
        } catch (IOException e) {
            message.set("Could not write " + file + ": " + e.getMessage());
        }
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
