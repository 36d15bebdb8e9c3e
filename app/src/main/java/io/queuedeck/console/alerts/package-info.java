/** Alerts: thresholds on the engine's snapshots, shown as a banner above every screen. */
package io.queuedeck.console.alerts;
