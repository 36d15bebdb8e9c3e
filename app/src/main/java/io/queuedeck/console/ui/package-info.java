/**
 * Helpers the window and every screen use (FXML loading, colours given in code, PNG export);
 * not controls, which live in {@code widgets}, and it imports neither a screen nor the root
 * package, so screens can use it without a package cycle.
 */
package io.queuedeck.console.ui;
