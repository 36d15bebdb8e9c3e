package io.queuedeck.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TraceTest {

    private static Trace read(String text) {
        return Trace.read("t.csv", new StringReader(text));
    }

    @Test
    void read_ownFormatWithOptionalColumns_rowsShiftedToFirstArrival() {
        Trace trace = read("""
                arrival_ms,prompt_tokens,output_tokens,priority,tenant,business_class,deadline_ms,model
                1000,120,30,1,acme,interactive,1500,llama-2-7b
                1250,800,200,,,,,
                """);

        assertThat(trace.rows()).containsExactly(
                new TraceRow(2, 0, 120, 30, 1, "acme", "interactive", 500L, "llama-2-7b"),
                new TraceRow(3, 250, 800, 200, null, null, null, null, null));
    }

    /** A spreadsheet's byte order mark was read as part of the first column's name, and the header refused. */
    @Test
    void read_aByteOrderMark_isSkipped() {
        assertThat(read("\uFEFFarrival_ms,prompt_tokens,output_tokens\n0,1,1\n").rows()).hasSize(1);
    }

    /** The second of two columns of one name was read, silently. */
    @Test
    void read_aColumnNamedTwice_isRefused() {
        assertThatThrownBy(() -> read("arrival_ms,prompt_tokens,output_tokens,prompt_tokens\n0,1,1,9\n"))
                .isInstanceOf(TraceFormatException.class).hasMessageContaining("names prompt_tokens twice");
    }

    /** One byte that is not UTF-8 was said as "the file is empty" at line 1. */
    @Test
    void load_aFileThatIsNotUtf8_isSaidSo(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("bad.csv"), new byte[] {'a', 'r', 'r', 'i', 'v', 'a', 'l', '_', 'm', 's', ',', 'p',
                'r', 'o', 'm', 'p', 't', '_', 't', 'o', 'k', 'e', 'n', 's', ',', 'o', 'u', 't', 'p', 'u', 't', '_', 't', 'o', 'k',
                'e', 'n', 's', '\n', '0', ',', '1', ',', (byte) 0xff, '\n'});

        assertThatThrownBy(() -> Trace.load(file.toString())).isInstanceOf(TraceFormatException.class)
                .hasMessageContaining("not UTF-8 text").hasMessageNotContaining("empty");
    }

    @Test
    void read_ownFormatOutOfOrder_sortedByArrivalKeepingLines() {
        Trace trace = read("arrival_ms,prompt_tokens,output_tokens\n300,1,1\n100,2,2\n200,3,3\n");

        assertThat(trace.rows()).extracting(TraceRow::line).containsExactly(3, 4, 2);
        assertThat(trace.rows()).extracting(TraceRow::arrivalMs).containsExactly(0L, 100L, 200L);
    }

    @Test
    void read_azureFormat_millisecondsFromFirstTimestamp() {
        Trace trace = read("""
                TIMESTAMP,ContextTokens,GeneratedTokens
                2023-11-16 18:15:46.6805900,374,44
                2023-11-16 18:15:50.9951690,396,109
                2023-11-16 18:15:51,10,1
                """);

        assertThat(trace.rows()).containsExactly(
                new TraceRow(2, 0, 374, 44, null, null, null, null, null),
                new TraceRow(3, 4314, 396, 109, null, null, null, null, null),
                new TraceRow(4, 4319, 10, 1, null, null, null, null, null));
    }

    @Test
    void read_azureFormatExtraColumn_accepted() {
        Trace trace = read("TIMESTAMP,ContextTokens,GeneratedTokens,Region\n2023-11-16 18:15:46,5,6,eu\n");

        assertThat(trace.rows()).hasSize(1);
    }

    @Test
    void load_shippedSlices_readInFull() {
        Trace conv = Trace.load("azure-conv-2023.csv");
        Trace code = Trace.load("azure-code-2023.csv");

        assertThat(conv.rows()).hasSize(19_366);
        assertThat(code.rows()).hasSize(8_819);
        // About an hour each (see resources/traces/README.md).
        assertThat(conv.durationSeconds()).isBetween(3_000.0, 3_600.0);
        assertThat(code.durationSeconds()).isBetween(3_000.0, 3_600.0);
    }

    @Test
    void load_fileOnDisk_readAndNamedByFileName(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mine.csv");
        Files.writeString(file, "arrival_ms,prompt_tokens,output_tokens\n0,10,20\n");

        Trace trace = Trace.load(file.toString());

        assertThat(trace.name()).isEqualTo("mine.csv");
        assertThat(trace.rows()).hasSize(1);
    }

    @Test
    void load_noSuchFileOrShippedName_namesTheShippedTraces() {
        assertThatThrownBy(() -> Trace.load("nope.csv"))
                .isInstanceOf(TraceFormatException.class)
                .hasMessageContaining("no trace file 'nope.csv'")
                .hasMessageContaining("azure-conv-2023.csv");
    }

    // ------------------------------------------------------------- malformed rows: the line is the row's own

    @Test
    void read_tooManyColumns_rejectedWithItsLine() {
        assertThatThrownBy(() -> read("arrival_ms,prompt_tokens,output_tokens\n0,1,1\n5,2,2\n9,3,3,4\n12,1,1\n"))
                .isInstanceOf(TraceFormatException.class)
                .hasMessageStartingWith("t.csv:4: malformed row");
    }

    @Test
    void read_blankLinesBeforeBadRow_lineCountsThem() {
        // Line 1 header, 2 a row, 3 and 4 blank, 5 the bad row: the line of the previous row
        // plus one (3) would send the reader to a blank line.
        assertThatThrownBy(() -> read("arrival_ms,prompt_tokens,output_tokens\n0,1,1\n\n\n7,x,1\n"))
                .isInstanceOf(TraceFormatException.class)
                .hasMessage("t.csv:5: prompt_tokens must be a whole number, got 'x'");
    }

    @Test
    void read_unclosedQuote_rejectedAtTheLineWhereTheRowStarts() {
        assertThatThrownBy(() -> read("arrival_ms,prompt_tokens,output_tokens\n0,1,1\n3,\"12,1\n4,1,1\n"))
                .isInstanceOf(TraceFormatException.class)
                .hasMessageStartingWith("t.csv:3: malformed row");
    }

    @Test
    void read_quotedFieldSpanningLines_nextRowKeepsItsOwnLine() {
        // A quoted field may hold a newline; the row after it starts on line 5, not 4.
        assertThatThrownBy(() -> read("arrival_ms,prompt_tokens,output_tokens,tenant\n0,1,1,\"a\nb\"\n1,1,1,c\n2,0,1,d\n"))
                .isInstanceOf(TraceFormatException.class)
                .hasMessage("t.csv:5: prompt_tokens must be between 1 and 1000000, got 0");
    }

    @Test
    void read_crlfLineEnds_linesCountedOnce() {
        assertThatThrownBy(() -> read("arrival_ms,prompt_tokens,output_tokens\r\n0,1,1\r\n1,1,1\r\n2,1,-3\r\n"))
                .isInstanceOf(TraceFormatException.class)
                .hasMessage("t.csv:4: output_tokens must be between 1 and 1000000, got -3");
    }

    @Test
    void read_missingRequiredValue_rejectedWithLineAndColumn() {
        assertThatThrownBy(() -> read("arrival_ms,prompt_tokens,output_tokens\n0,1,1\n5,,2\n"))
                .isInstanceOf(TraceFormatException.class)
                .hasMessage("t.csv:3: prompt_tokens is missing");
    }

    @Test
    void read_shortRow_missingColumnNamed() {
        assertThatThrownBy(() -> read("arrival_ms,prompt_tokens,output_tokens\n0,1\n"))
                .isInstanceOf(TraceFormatException.class)
                .hasMessage("t.csv:2: output_tokens is missing");
    }

    @Test
    void read_badAzureTimestamp_rejectedWithLine() {
        assertThatThrownBy(() -> read("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,1,1\nyesterday,1,1\n"))
                .isInstanceOf(TraceFormatException.class)
                .hasMessageStartingWith("t.csv:3: TIMESTAMP must look like 2023-11-16 18:17:03.9799600");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            tokens beyond any context   | 0,1000001,1                 | prompt_tokens must be between 1 and 1000000, got 1000001
            digits beyond a long        | 0,99999999999999999999,1    | prompt_tokens must be between 1 and 1000000, got '99999999999999999999'
            arrival beyond 31 years     | 1000000000001,1,1           | arrival_ms must be between 0 and 1000000000000, got 1000000000001
            negative arrival            | -1,1,1                      | arrival_ms must be between 0 and 1000000000000, got -1
            fractional tokens           | 0,1.5,1                     | prompt_tokens must be a whole number, got '1.5'
            """)
    void read_hugeOrBadValue_rejectedWithLineAndRange(String why, String row, String message) {
        assertThatThrownBy(() -> read("arrival_ms,prompt_tokens,output_tokens\n" + row + "\n"))
                .as(why)
                .isInstanceOf(TraceFormatException.class)
                .hasMessage("t.csv:2: " + message);
    }

    @Test
    void read_largestAllowedValues_accepted() {
        Trace trace = read("arrival_ms,prompt_tokens,output_tokens,deadline_ms\n1000000000000,1000000,1000000,1000000000000\n");

        assertThat(trace.rows().getFirst().promptTokens()).isEqualTo(1_000_000);
    }

    @Test
    void read_priorityOutOfRange_rejected() {
        assertThatThrownBy(() -> read("arrival_ms,prompt_tokens,output_tokens,priority\n0,1,1,10\n"))
                .hasMessage("t.csv:2: priority must be between 0 and 9, got 10");
    }

    // ------------------------------------------------------------- files without requests, headers

    @Test
    void read_emptyFile_saysEmpty() {
        assertThatThrownBy(() -> read(""))
                .isInstanceOf(TraceFormatException.class)
                .hasMessageStartingWith("t.csv:1: the file is empty");
    }

    /** Blank lines before the header are skipped, as between rows; a row's line still counts them. */
    @Test
    void read_blankLinesBeforeTheHeader_skipped_andCountedInLineNumbers() {
        assertThatThrownBy(() -> read("\narrival_ms,prompt_tokens,output_tokens\n0,1,1\n5,2\n"))
                .isInstanceOf(TraceFormatException.class)
                .hasMessageStartingWith("t.csv:4: ");
        assertThat(read("\narrival_ms,prompt_tokens,output_tokens\n0,1,1\n").rows()).hasSize(1);
    }

    @Test
    void read_blankLinesOnly_saysEmpty() {
        assertThatThrownBy(() -> read("\n\n  \n"))
                .isInstanceOf(TraceFormatException.class)
                .hasMessageContaining("is empty").hasMessageNotContaining("bind");
    }

    @Test
    void read_headerOnly_saysNoRequests() {
        assertThatThrownBy(() -> read("arrival_ms,prompt_tokens,output_tokens\n"))
                .isInstanceOf(TraceFormatException.class)
                .hasMessage("t.csv: the trace has a header but no requests");
    }

    @Test
    void read_headerOnlyWithUnknownColumn_reportsTheHeader() {
        assertThatThrownBy(() -> read("arrival_ms,prompt_tokens,output_tokens,colour\n"))
                .isInstanceOf(TraceFormatException.class)
                .hasMessageContaining("unknown column 'colour'");
    }

    @Test
    void read_unknownColumn_rejectedListingTheOptionalOnesInOrder() {
        assertThatThrownBy(() -> read("arrival_ms,prompt_tokens,output_tokens,colour\n0,1,1,red\n"))
                .isInstanceOf(TraceFormatException.class)
                .hasMessage("t.csv: unknown column 'colour' in the header; optional columns are"
                        + " priority,tenant,business_class,deadline_ms,model");
    }

    @Test
    void read_neitherFormatsHeader_namesBoth() {
        assertThatThrownBy(() -> read("time,prompt,output\n0,1,1\n"))
                .isInstanceOf(TraceFormatException.class)
                .hasMessageContaining("arrival_ms,prompt_tokens,output_tokens")
                .hasMessageContaining("TIMESTAMP,ContextTokens,GeneratedTokens")
                .hasMessageContaining("[time, prompt, output]");
    }

    @Test
    void means_overRows() {
        Trace trace = read("arrival_ms,prompt_tokens,output_tokens\n0,100,10\n2000,300,30\n");

        assertThat(trace.meanPrompt()).isEqualTo(200);
        assertThat(trace.meanOutput()).isEqualTo(20);
        assertThat(trace.ratePerSecond()).isEqualTo(0.5);
        assertThat(List.of(trace.durationSeconds())).containsExactly(2.0);
    }
}
