package io.queuedeck.console.widgets;

import java.util.List;
import javafx.scene.control.Labeled;
import javafx.scene.text.Text;

/**
 * The width a control with several texts needs for the widest of them, so a flip of its text
 * ("Pause dispatch" to "Resume dispatch") moves none of its neighbours.
 */
public final class SteadyWidth {
    private SteadyWidth() {}

    /** {@code pref}, {@code control}'s preferred width for its text now, widened to fit the widest of {@code texts}. */
    public static double of(Labeled control, double pref, List<String> texts) {
        Text probe = new Text();
        probe.setFont(control.getFont());
        double widest = 0;
        for (String text : texts) {
            probe.setText(text);
            widest = Math.max(widest, probe.getLayoutBounds().getWidth());
        }
        probe.setText(control.getText());
        return pref + widest - probe.getLayoutBounds().getWidth();
    }
}
