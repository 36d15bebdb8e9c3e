/** Alerts: thresholds on the engine's snapshots, shown as a banner above every screen and a notification per raise and clear. */
package io.queuedeck.console.alerts;
