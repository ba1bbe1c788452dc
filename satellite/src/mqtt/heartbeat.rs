//! The heartbeat: uptime, mode, versions and counters, every `heartbeat.interval_s`.

use std::sync::Arc;
use std::time::Duration;

use hive_topics::{Heartbeat, Mode, Outbound, PROTOCOL_VERSION, SatelliteId, Topics};
use tokio::sync::watch;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use super::connection::ConnectionState;
use crate::counters::Counters;
use crate::state::EyeView;

/// The heartbeat message.
pub fn heartbeat(
    topics: &Topics,
    satellite: &SatelliteId,
    uptime: Duration,
    mode: Mode,
    counters: &Counters,
) -> Outbound {
    topics.encode_heartbeat(
        satellite,
        &Heartbeat {
            uptime_s: uptime.as_secs(),
            mode,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            protocol: PROTOCOL_VERSION,
            counters: counters.snapshot(),
        },
    )
}

/// Publishes a heartbeat through `send` every `interval` while connected, the first one
/// right after each connection; until `shutdown`.
#[allow(clippy::too_many_arguments)]
pub async fn run_heartbeat(
    topics: Topics,
    satellite: SatelliteId,
    interval: Duration,
    counters: Arc<Counters>,
    view: watch::Receiver<EyeView>,
    mut connection: watch::Receiver<ConnectionState>,
    send: impl Fn(Outbound) -> bool,
    shutdown: CancellationToken,
) {
    let started = Instant::now();
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = ticker.tick() => {}
            changed = connection.changed() => {
                if changed.is_err() {
                    return;
                }
                if !connection.borrow().connected {
                    continue;
                }
                ticker.reset();
            }
        }
        if connection.borrow().connected {
            let mode = view.borrow().mode;
            send(heartbeat(
                &topics,
                &satellite,
                started.elapsed(),
                mode,
                &counters,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use hive_topics::{EyeColour, Inbound};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_heartbeat_goes_out_on_connect_and_every_interval() {
        let topics = Topics::default();
        let satellite = SatelliteId::new("kitchen").unwrap();
        let counters = Arc::new(Counters::default());
        Counters::bump(&counters.wakes);
        let (_view_tx, view) = watch::channel(EyeView {
            colour: EyeColour::White,
            mode: Mode::Idle,
        });
        let (state_tx, state) = watch::channel(ConnectionState::default());
        let sent: Arc<Mutex<Vec<(Duration, Outbound)>>> = Arc::default();
        let shutdown = CancellationToken::new();
        let start = Instant::now();
        let record = sent.clone();
        let task = tokio::spawn(run_heartbeat(
            topics.clone(),
            satellite,
            Duration::from_secs(30),
            counters,
            view,
            state,
            move |out| {
                record.lock().unwrap().push((start.elapsed(), out));
                true
            },
            shutdown.clone(),
        ));
        // Not connected: nothing for a minute.
        tokio::time::sleep(Duration::from_secs(61)).await;
        assert!(sent.lock().unwrap().is_empty());
        state_tx
            .send(ConnectionState {
                connected: true,
                generation: 1,
            })
            .unwrap();
        tokio::time::sleep(Duration::from_secs(65)).await;
        shutdown.cancel();
        task.await.unwrap();
        let sent = sent.lock().unwrap();
        let times: Vec<u64> = sent.iter().map(|(at, _)| at.as_secs()).collect();
        assert_eq!(times, [61, 91, 121]);
        let Ok(Inbound::Heartbeat { heartbeat, .. }) =
            topics.parse(&sent[0].1.topic, &sent[0].1.payload)
        else {
            panic!("not a heartbeat");
        };
        assert_eq!((heartbeat.mode, heartbeat.protocol), (Mode::Idle, 1));
        assert_eq!(heartbeat.uptime_s, 61);
        assert_eq!(heartbeat.counters["wakes"], 1);
        assert!(heartbeat.counters.contains_key("chunks_dropped"));
    }
}
