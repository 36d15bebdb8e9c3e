package io.queuedeck.console.widgets;

import atlantafx.base.theme.Styles;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;

/**
 * A question before an action that is hard to take back, in a bar on the screen (no dialog): the
 * question, the action's button (red) and the safe answer. Asked, the keyboard goes to the safe
 * answer (Space says no, Tab reaches the action); Esc anywhere on the screen says no; answered, the
 * focus goes back where it was.
 * Node ids are {@code <prefix>-confirm}, {@code -confirm-text}, {@code -confirm-yes} and {@code -confirm-no}.
 */
public final class ConfirmBar extends HBox {
    public static final String STYLE_CLASS = "qd-confirm";

    private final Label question = new Label();
    private final Button yes = new Button();
    private final Button no;
    private Runnable confirmed;
    /** What had the focus when the question was asked: it gets it back once answered. */
    private Node asker;

    /**
     * @param prefix the ids' prefix
     * @param noText the safe answer's words ("Keep them" beside "Cancel 3 tasks", where "Cancel" would read as the action)
     * @param screen where Esc answers no while the bar asks
     */
    public ConfirmBar(String prefix, String noText, Node screen) {
        super(8);
        no = new Button(noText);
        setId(prefix + "-confirm");
        getStyleClass().add(STYLE_CLASS);
        setAlignment(Pos.CENTER_LEFT);
        question.setId(prefix + "-confirm-text");
        question.setWrapText(true);
        question.setMinWidth(0);
        question.setMinHeight(Region.USE_PREF_SIZE); // wrapped lines stay whole: it is what the operator confirms
        Tooltip whole = new Tooltip();
        whole.textProperty().bind(question.textProperty());
        whole.setWrapText(true);
        whole.setMaxWidth(600);
        question.setTooltip(whole);
        HBox.setHgrow(question, Priority.ALWAYS);
        yes.setId(prefix + "-confirm-yes");
        yes.getStyleClass().add(Styles.DANGER);
        yes.setTooltip(new Tooltip("Go ahead"));
        yes.setOnAction(e -> {
            Runnable action = confirmed;
            answerNo();
            if (action != null) {
                action.run();
            }
        });
        no.setId(prefix + "-confirm-no");
        no.setTooltip(new Tooltip("Leave everything as it is"));
        no.setOnAction(e -> answerNo());
        yes.setMinWidth(Region.USE_PREF_SIZE);
        no.setMinWidth(Region.USE_PREF_SIZE);
        getChildren().addAll(question, yes, no);
        setVisible(false);
        screen.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() == KeyCode.ESCAPE && isVisible()) {
                answerNo();
                e.consume();
            }
        });
    }

    /** Asks {@code text}; {@code yesText} on the red button runs {@code action}, once, if pressed. */
    public void ask(String text, String yesText, Runnable action) {
        ask(text, yesText, null, action);
    }

    /** As {@link #ask(String, String, Runnable)}, the safe answer worded {@code noText} this time (null: as built). */
    public void ask(String text, String yesText, String noText, Runnable action) {
        if (noText != null) {
            no.setText(noText);
        }
        question.setText(text);
        yes.setText(yesText);
        confirmed = action;
        setVisible(true);
        // the question sits away from what asked it: the keyboard goes to its safe answer (Tab reaches the other)
        if (getScene() != null) {
            asker = getScene().getFocusOwner();
            no.requestFocus();
        }
    }

    /** Hides the question, doing nothing; the focus goes back to what asked, if the bar had it. */
    public void answerNo() {
        confirmed = null;
        boolean answering = isFocusWithin();
        setVisible(false);
        Node back = asker;
        asker = null;
        if (answering && back != null && back.getScene() == getScene() && !back.isDisabled()) {
            back.requestFocus();
        }
    }

    /** Whether a question is waiting for its answer. */
    public boolean isAsking() {
        return isVisible();
    }
}
