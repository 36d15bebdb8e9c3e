/** Alerts: thresholds on the engine's snapshots, shown as a banner in the header and a notification per raise and clear. */
package io.queuedeck.console.alerts;
