//! A small MQTT client for scripting satellites, the bridge or Home Assistant in tests.
//!
//! One spawned task owns rumqttc's event loop and never blocks on anything but its two
//! bounded channels: received messages go to `messages`, and the packet ids of sent
//! requests and their acknowledgements go to `acks`, where [`TestClient::publish`] and
//! [`TestClient::subscribe`] wait for theirs. Those methods take `&mut self`, so a client
//! has at most one request in flight and the next ack on the channel belongs to it.

use std::time::Duration;

use rumqttc::{
    AsyncClient, ConnectionError, Event, EventLoop, MqttOptions, Outgoing, Packet, Publish, QoS,
    SubscribeReasonCode,
};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::{Instant, timeout_at};

use crate::{Broker, HarnessError};

/// Received messages held for the test. When full, the event loop waits for the test to
/// read (back-pressure): a message is never dropped, which the "sentinel" technique for
/// proving that a message did *not* arrive depends on.
const MESSAGE_CAPACITY: usize = 1024;
/// Acks in flight: one request at a time produces at most two entries.
const ACK_CAPACITY: usize = 16;
/// rumqttc's request queue.
const REQUEST_CAPACITY: usize = 64;
/// How long `connect` waits for the first CONNACK and requests wait for their ack.
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest packet in either direction: TTS audio for one sentence can reach 4 MiB.
const MAX_PACKET_SIZE: usize = 8 * 1024 * 1024;
/// Reconnect back-off after the connection drops: doubles from the first to the last.
/// No jitter: a test runs a handful of clients, not a fleet.
const BACKOFF_FIRST: Duration = Duration::from_millis(20);
const BACKOFF_MAX: Duration = Duration::from_millis(500);

/// One message a [`TestClient`] received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The topic it was published to.
    pub topic: String,
    /// Its payload.
    pub payload: Vec<u8>,
    /// The QoS it was delivered with (the lower of published and subscribed).
    pub qos: QoS,
    /// Whether the broker sent it from its retained store on subscription.
    pub retain: bool,
}

impl Message {
    /// The payload as UTF-8 text, if it is.
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.payload).ok()
    }
}

impl From<Publish> for Message {
    fn from(publish: Publish) -> Self {
        Self {
            topic: publish.topic,
            payload: publish.payload.to_vec(),
            qos: publish.qos,
            retain: publish.retain,
        }
    }
}

/// What the event loop reports about requests.
#[derive(Debug)]
enum Reply {
    /// A PUBLISH went out with this packet id (0 at QoS 0).
    PublishSent(u16),
    /// A SUBSCRIBE went out with this packet id.
    SubscribeSent(u16),
    /// The broker acknowledged a QoS 1 publish.
    PubAck(u16),
    /// The broker completed a QoS 2 publish.
    PubComp(u16),
    /// The broker answered a subscription.
    SubAck(u16, Vec<SubscribeReasonCode>),
}

/// An MQTT 3.1.1 client connected to a test [`Broker`].
///
/// ```no_run
/// # async fn example() -> Result<(), hive_tests::HarnessError> {
/// use std::time::Duration;
/// use hive_tests::{Broker, QoS, TestClient};
///
/// let broker = Broker::start()?;
/// let mut bridge = TestClient::connect(&broker, "bridge", None).await?;
/// bridge.subscribe("hive/satellite/+/wake", QoS::AtLeastOnce).await?;
/// let mut kitchen = TestClient::connect(&broker, "kitchen", None).await?;
/// kitchen.publish("hive/satellite/kitchen/wake", "{}", QoS::AtLeastOnce, false).await?;
/// let wake = bridge.expect("hive/satellite/kitchen/wake", Duration::from_secs(5)).await?;
/// assert_eq!(wake.text(), Some("{}"));
/// # Ok(())
/// # }
/// ```
///
/// If the connection drops (say the broker restarts), the client reconnects by itself
/// with a clean session; [`wait_reconnected`](Self::wait_reconnected) waits for that and
/// renews its subscriptions. Dropping the client cuts the connection without a
/// DISCONNECT, so the broker publishes its last will; [`disconnect`](Self::disconnect)
/// leaves cleanly.
#[derive(Debug)]
pub struct TestClient {
    client_id: String,
    client: AsyncClient,
    messages: mpsc::Receiver<Message>,
    acks: mpsc::Receiver<Reply>,
    /// How many CONNACKs the event loop has seen.
    connections: watch::Receiver<u64>,
    /// The connection count [`Self::wait_reconnected`] last returned at.
    seen_connections: u64,
    /// Granted subscriptions, renewed after a reconnection.
    subscriptions: Vec<(String, QoS)>,
    event_loop: JoinHandle<()>,
}

impl TestClient {
    /// The options [`connect`](Self::connect) uses: the broker's address, `client_id`,
    /// optional (username, password), clean session, 8 MiB packets. Change them (a last
    /// will, a keep-alive) and pass them to [`connect_with`](Self::connect_with).
    pub fn options(
        broker: &Broker,
        client_id: &str,
        credentials: Option<(&str, &str)>,
    ) -> MqttOptions {
        let mut options = MqttOptions::new(client_id, broker.host(), broker.port());
        options.set_max_packet_size(MAX_PACKET_SIZE, MAX_PACKET_SIZE);
        if let Some((username, password)) = credentials {
            options.set_credentials(username, password);
        }
        options
    }

    /// Connects to `broker` as `client_id`, with (username, password) if given, and waits
    /// for the broker to accept the connection.
    ///
    /// # Errors
    ///
    /// [`HarnessError::ConnectRefused`] when the broker refuses the client (with the
    /// CONNACK code); [`HarnessError::Connect`] when the connection fails otherwise;
    /// [`HarnessError::Timeout`] without a CONNACK within ten seconds.
    pub async fn connect(
        broker: &Broker,
        client_id: &str,
        credentials: Option<(&str, &str)>,
    ) -> Result<Self, HarnessError> {
        Self::connect_with(Self::options(broker, client_id, credentials)).await
    }

    /// Connects with the given options; see [`options`](Self::options).
    ///
    /// # Errors
    ///
    /// As [`connect`](Self::connect).
    pub async fn connect_with(options: MqttOptions) -> Result<Self, HarnessError> {
        let client_id = options.client_id();
        let (client, event_loop) = AsyncClient::new(options, REQUEST_CAPACITY);
        let (message_tx, messages) = mpsc::channel(MESSAGE_CAPACITY);
        let (ack_tx, acks) = mpsc::channel(ACK_CAPACITY);
        let (connections_tx, connections) = watch::channel(0);
        let (first_tx, first_rx) = oneshot::channel();
        let event_loop = tokio::spawn(drive(
            event_loop,
            first_tx,
            message_tx,
            ack_tx,
            connections_tx,
        ));

        let outcome = tokio::time::timeout(REPLY_TIMEOUT, first_rx).await;
        let failure = match outcome {
            Ok(Ok(Ok(()))) => None,
            Ok(Ok(Err(ConnectionError::ConnectionRefused(code)))) => {
                Some(HarnessError::ConnectRefused {
                    client_id: client_id.clone(),
                    code,
                })
            }
            Ok(Ok(Err(source))) => Some(HarnessError::Connect {
                client_id: client_id.clone(),
                source: Box::new(source),
            }),
            Ok(Err(_)) => Some(HarnessError::ClientClosed),
            Err(_) => Some(HarnessError::Timeout {
                what: format!("the CONNACK for client {client_id:?}"),
                waited: REPLY_TIMEOUT,
            }),
        };
        if let Some(error) = failure {
            event_loop.abort();
            return Err(error);
        }
        Ok(Self {
            client_id,
            client,
            messages,
            acks,
            connections,
            seen_connections: 1,
            subscriptions: Vec::new(),
            event_loop,
        })
    }

    /// The client's MQTT client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Subscribes to `filter` and waits for the SUBACK; returns the granted QoS.
    ///
    /// Mosquitto 2.0 grants subscriptions the ACL does not allow and then delivers
    /// nothing on them; to prove a denied read, publish a sentinel after the forbidden
    /// message and check the sentinel arrives first (see the crate's tests).
    ///
    /// # Errors
    ///
    /// [`HarnessError::SubscriptionRefused`] for SUBACK failure code 0x80;
    /// [`HarnessError::Timeout`] without a SUBACK within ten seconds.
    pub async fn subscribe(&mut self, filter: &str, qos: QoS) -> Result<QoS, HarnessError> {
        let granted = self.subscribe_once(filter, qos).await?;
        self.subscriptions.push((filter.to_owned(), qos));
        Ok(granted)
    }

    /// Publishes and waits until the broker has it: PUBACK at QoS 1, PUBCOMP at QoS 2,
    /// written to the connection at QoS 0.
    ///
    /// Note that the broker acknowledges a publish the ACL denies just like any other.
    ///
    /// # Errors
    ///
    /// [`HarnessError::Timeout`] without the acknowledgement within ten seconds (for
    /// instance while the broker is down); [`HarnessError::ClientClosed`].
    pub async fn publish(
        &mut self,
        topic: &str,
        payload: impl Into<Vec<u8>>,
        qos: QoS,
        retain: bool,
    ) -> Result<(), HarnessError> {
        self.drain_stale_acks();
        self.client
            .publish(topic, qos, retain, payload.into())
            .await?;
        let deadline = Instant::now() + REPLY_TIMEOUT;
        let what = || format!("the acknowledgement of a publish to {topic:?}");
        let pkid = self
            .next_ack(deadline, &what, |ack| match ack {
                Reply::PublishSent(pkid) => Some(*pkid),
                _ => None,
            })
            .await?;
        match qos {
            QoS::AtMostOnce => Ok(()),
            QoS::AtLeastOnce => {
                self.next_ack(deadline, &what, |ack| {
                    matches!(ack, Reply::PubAck(id) if *id == pkid).then_some(())
                })
                .await
            }
            QoS::ExactlyOnce => {
                self.next_ack(deadline, &what, |ack| {
                    matches!(ack, Reply::PubComp(id) if *id == pkid).then_some(())
                })
                .await
            }
        }
    }

    /// The next received message, or `None` if none arrives within `timeout` (or the
    /// client has stopped).
    pub async fn recv_timeout(&mut self, timeout: Duration) -> Option<Message> {
        tokio::time::timeout(timeout, self.messages.recv())
            .await
            .ok()
            .flatten()
    }

    /// The next received message, which must match the topic filter `filter` (MQTT
    /// wildcards `+` and `#` allowed).
    ///
    /// # Errors
    ///
    /// [`HarnessError::UnexpectedMessage`] when the next message is on another topic;
    /// [`HarnessError::Timeout`] when none arrives within `timeout`;
    /// [`HarnessError::ClientClosed`].
    pub async fn expect(
        &mut self,
        filter: &str,
        timeout: Duration,
    ) -> Result<Message, HarnessError> {
        let message = self
            .recv_before(Instant::now() + timeout, filter, timeout)
            .await?;
        if rumqttc::matches(&message.topic, filter) {
            Ok(message)
        } else {
            Err(HarnessError::UnexpectedMessage {
                expected: filter.to_owned(),
                topic: message.topic,
                len: message.payload.len(),
            })
        }
    }

    /// Every message received up to and including the first one matching `filter`.
    ///
    /// This is how a test proves a message did *not* arrive without sleeping: publish
    /// the forbidden message, then a sentinel on an allowed topic from the same client;
    /// MQTT keeps one client's messages in order, so once the sentinel is here the
    /// forbidden one would be in the returned list if it had been delivered.
    ///
    /// # Errors
    ///
    /// [`HarnessError::Timeout`] when no matching message arrives within `timeout`;
    /// [`HarnessError::ClientClosed`].
    pub async fn collect_until(
        &mut self,
        filter: &str,
        timeout: Duration,
    ) -> Result<Vec<Message>, HarnessError> {
        let deadline = Instant::now() + timeout;
        let mut received = Vec::new();
        loop {
            let message = self.recv_before(deadline, filter, timeout).await?;
            let done = rumqttc::matches(&message.topic, filter);
            received.push(message);
            if done {
                return Ok(received);
            }
        }
    }

    /// Waits until the client has reconnected since it connected or since the last call,
    /// then renews its subscriptions (clean session: the broker forgot them) and waits
    /// for their SUBACKs. Messages published between the reconnection and the renewal
    /// are not received.
    ///
    /// # Errors
    ///
    /// [`HarnessError::Timeout`] when it does not reconnect within `timeout`; as
    /// [`subscribe`](Self::subscribe) for the renewal.
    pub async fn wait_reconnected(&mut self, timeout: Duration) -> Result<(), HarnessError> {
        let seen = self.seen_connections;
        // Copy the count out at once: the watch's `Ref` holds a read lock.
        let waited = timeout_at(Instant::now() + timeout, async {
            self.connections
                .wait_for(|count| *count > seen)
                .await
                .map(|count| *count)
        })
        .await;
        self.seen_connections = match waited {
            Ok(Ok(count)) => count,
            Ok(Err(_)) => return Err(HarnessError::ClientClosed),
            Err(_) => {
                return Err(HarnessError::Timeout {
                    what: format!("client {:?} to reconnect", self.client_id),
                    waited: timeout,
                });
            }
        };
        for (filter, qos) in self.subscriptions.clone() {
            self.subscribe_once(&filter, qos).await?;
        }
        Ok(())
    }

    /// Sends DISCONNECT (so the broker discards the last will) and waits for the event
    /// loop to finish.
    ///
    /// # Errors
    ///
    /// [`HarnessError::ClientClosed`] when the event loop has already stopped;
    /// [`HarnessError::Timeout`] when the DISCONNECT is not sent within ten seconds.
    pub async fn disconnect(mut self) -> Result<(), HarnessError> {
        self.client.disconnect().await?;
        match tokio::time::timeout(REPLY_TIMEOUT, &mut self.event_loop).await {
            Ok(_) => Ok(()),
            Err(_) => Err(HarnessError::Timeout {
                what: format!("client {:?} to disconnect", self.client_id),
                waited: REPLY_TIMEOUT,
            }),
        }
    }

    /// Sends one SUBSCRIBE and waits for its SUBACK.
    async fn subscribe_once(&mut self, filter: &str, qos: QoS) -> Result<QoS, HarnessError> {
        self.drain_stale_acks();
        self.client.subscribe(filter, qos).await?;
        let deadline = Instant::now() + REPLY_TIMEOUT;
        let what = || format!("the SUBACK for {filter:?}");
        let pkid = self
            .next_ack(deadline, &what, |ack| match ack {
                Reply::SubscribeSent(pkid) => Some(*pkid),
                _ => None,
            })
            .await?;
        let codes = self
            .next_ack(deadline, &what, |ack| match ack {
                Reply::SubAck(id, codes) if *id == pkid => Some(codes.clone()),
                _ => None,
            })
            .await?;
        match codes.first() {
            Some(SubscribeReasonCode::Success(granted)) => Ok(*granted),
            _ => Err(HarnessError::SubscriptionRefused {
                filter: filter.to_owned(),
            }),
        }
    }

    /// Skips acks until `pick` accepts one.
    async fn next_ack<T>(
        &mut self,
        deadline: Instant,
        what: &(dyn Fn() -> String + Sync),
        pick: impl Fn(&Reply) -> Option<T>,
    ) -> Result<T, HarnessError> {
        loop {
            match timeout_at(deadline, self.acks.recv()).await {
                Ok(Some(ack)) => {
                    if let Some(found) = pick(&ack) {
                        return Ok(found);
                    }
                }
                Ok(None) => return Err(HarnessError::ClientClosed),
                Err(_) => {
                    return Err(HarnessError::Timeout {
                        what: what(),
                        waited: REPLY_TIMEOUT,
                    });
                }
            }
        }
    }

    /// Forgets acks of an earlier request that timed out, so they cannot be taken for
    /// the next request's.
    fn drain_stale_acks(&mut self) {
        while self.acks.try_recv().is_ok() {}
    }

    /// The next message before `deadline`, as an error naming `filter` on timeout.
    async fn recv_before(
        &mut self,
        deadline: Instant,
        filter: &str,
        timeout: Duration,
    ) -> Result<Message, HarnessError> {
        match timeout_at(deadline, self.messages.recv()).await {
            Ok(Some(message)) => Ok(message),
            Ok(None) => Err(HarnessError::ClientClosed),
            Err(_) => Err(HarnessError::Timeout {
                what: format!("a message on {filter:?} for client {:?}", self.client_id),
                waited: timeout,
            }),
        }
    }
}

impl Drop for TestClient {
    /// Stops the event loop; the connection closes without DISCONNECT.
    fn drop(&mut self) {
        self.event_loop.abort();
    }
}

/// The event loop task: polls rumqttc, forwards messages and acks, reconnects.
///
/// The first connection's outcome goes to `first`; if it fails the task ends, so that a
/// refused client fails its test instead of retrying forever. After that, a failed poll
/// waits a doubling back-off before the next one (which reconnects).
async fn drive(
    mut event_loop: EventLoop,
    first: oneshot::Sender<Result<(), ConnectionError>>,
    messages: mpsc::Sender<Message>,
    acks: mpsc::Sender<Reply>,
    connections: watch::Sender<u64>,
) {
    let mut first = Some(first);
    let mut backoff = BACKOFF_FIRST;
    loop {
        let ack = match event_loop.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                backoff = BACKOFF_FIRST;
                connections.send_modify(|count| *count += 1);
                if let Some(first) = first.take() {
                    // The receiver is gone only if `connect` timed out and aborts us.
                    let _ = first.send(Ok(()));
                }
                None
            }
            Ok(Event::Incoming(Packet::Publish(publish))) => {
                if messages.send(Message::from(publish)).await.is_err() {
                    return; // The TestClient is gone.
                }
                None
            }
            Ok(Event::Incoming(Packet::PubAck(ack))) => Some(Reply::PubAck(ack.pkid)),
            Ok(Event::Incoming(Packet::PubComp(ack))) => Some(Reply::PubComp(ack.pkid)),
            Ok(Event::Incoming(Packet::SubAck(ack))) => {
                Some(Reply::SubAck(ack.pkid, ack.return_codes))
            }
            Ok(Event::Outgoing(Outgoing::Publish(pkid))) => Some(Reply::PublishSent(pkid)),
            Ok(Event::Outgoing(Outgoing::Subscribe(pkid))) => Some(Reply::SubscribeSent(pkid)),
            Ok(Event::Outgoing(Outgoing::Disconnect)) => return,
            Ok(_) => None,
            Err(error) => {
                if let Some(first) = first.take() {
                    let _ = first.send(Err(error));
                    return;
                }
                if matches!(error, ConnectionError::RequestsDone) {
                    return; // Every AsyncClient handle is gone.
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(BACKOFF_MAX);
                None
            }
        };
        if let Some(ack) = ack
            && acks.send(ack).await.is_err()
        {
            return;
        }
    }
}
