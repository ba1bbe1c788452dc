//! A TCP relay between a satellite and the broker that counts what the satellite sends on
//! the wire: every MQTT PUBLISH packet framed from the byte stream, whole (fixed header,
//! topic, packet id, payload).

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::error::HarnessError;

/// What the satellite published, counted from its MQTT packets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Bytes of PUBLISH packets of the audio stream (`wake`, `audio/start`, `audio/chunk`,
    /// `audio/end`), headers included.
    pub(crate) stream_bytes: u64,
    /// How many `audio/chunk` packets.
    pub(crate) chunks: u64,
    /// PCM bytes carried by the chunks (payload minus the 8-byte chunk header).
    pub(crate) pcm_bytes: u64,
    /// Every byte the satellite sent (all packets, including keep-alives and heartbeats).
    pub(crate) all_bytes: u64,
}

/// The relay; stops on drop.
#[derive(Debug)]
pub(crate) struct CountingProxy {
    port: u16,
    counts: Arc<Mutex<Counts>>,
    task: JoinHandle<()>,
}

impl CountingProxy {
    /// Listens on a free loopback port and relays every connection to `upstream` (port of
    /// 127.0.0.1).
    pub(crate) async fn start(upstream: u16) -> Result<Self, HarnessError> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|error| super::process::bench_error(format!("proxy: {error}")))?;
        let port = listener
            .local_addr()
            .map_err(|error| super::process::bench_error(error.to_string()))?
            .port();
        let counts = Arc::new(Mutex::new(Counts::default()));
        let shared = counts.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)).await else {
                    continue;
                };
                tokio::spawn(relay(client, server, shared.clone()));
            }
        });
        Ok(CountingProxy { port, counts, task })
    }

    /// The port satellites connect to.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// The counts so far.
    pub(crate) fn counts(&self) -> Counts {
        *self
            .counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for CountingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn relay(client: TcpStream, server: TcpStream, counts: Arc<Mutex<Counts>>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let down = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
    });
    let mut framer = Framer::default();
    let mut buffer = vec![0_u8; 64 * 1024];
    loop {
        let read = match client_read.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        if server_write.write_all(&buffer[..read]).await.is_err() {
            break;
        }
        let mut counts = counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        counts.all_bytes += read as u64;
        framer.push(&buffer[..read], &mut counts);
    }
    down.abort();
}

/// Cuts a client's byte stream into MQTT 3.1.1 packets and counts the publishes.
#[derive(Debug, Default)]
struct Framer {
    pending: Vec<u8>,
}

impl Framer {
    fn push(&mut self, bytes: &[u8], counts: &mut Counts) {
        self.pending.extend_from_slice(bytes);
        while let Some(length) = packet_length(&self.pending) {
            if self.pending.len() < length {
                break;
            }
            count(&self.pending[..length], counts);
            self.pending.drain(..length);
        }
    }
}

/// The whole length of the packet at the start of `bytes` (fixed header included), once
/// its remaining-length field is complete.
fn packet_length(bytes: &[u8]) -> Option<usize> {
    let mut remaining = 0_usize;
    for (index, &byte) in bytes.iter().skip(1).take(4).enumerate() {
        remaining |= usize::from(byte & 0x7f) << (7 * index);
        if byte & 0x80 == 0 {
            return Some(1 + index + 1 + remaining);
        }
    }
    None
}

fn count(packet: &[u8], counts: &mut Counts) {
    const PUBLISH: u8 = 3;
    if packet[0] >> 4 != PUBLISH {
        return;
    }
    let body = &packet[header_len(packet)..];
    let [high, low, rest @ ..] = body else {
        return;
    };
    let topic_len = usize::from(u16::from_be_bytes([*high, *low]));
    let Some(topic) = rest.get(..topic_len) else {
        return;
    };
    let qos = (packet[0] >> 1) & 0b11;
    let payload_start = 2 + topic_len + if qos > 0 { 2 } else { 0 };
    let payload_len = body.len().saturating_sub(payload_start);
    let topic = String::from_utf8_lossy(topic);
    if topic.ends_with("/audio/chunk") {
        counts.chunks += 1;
        counts.pcm_bytes += payload_len.saturating_sub(8) as u64;
        counts.stream_bytes += packet.len() as u64;
    } else if ["/wake", "/audio/start", "/audio/end"]
        .iter()
        .any(|suffix| topic.ends_with(suffix))
    {
        counts.stream_bytes += packet.len() as u64;
    }
}

/// Length of the fixed header (type byte and remaining length).
fn header_len(packet: &[u8]) -> usize {
    let continued = packet
        .iter()
        .skip(1)
        .take(4)
        .take_while(|&&byte| byte & 0x80 != 0)
        .count();
    1 + continued + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A QoS 0 PUBLISH as a client writes it.
    fn publish(topic: &str, payload: &[u8]) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend_from_slice(&(topic.len() as u16).to_be_bytes());
        body.extend_from_slice(topic.as_bytes());
        body.extend_from_slice(payload);
        let mut packet = vec![0x30];
        let mut remaining = body.len();
        loop {
            let mut byte = (remaining & 0x7f) as u8;
            remaining >>= 7;
            if remaining > 0 {
                byte |= 0x80;
            }
            packet.push(byte);
            if remaining == 0 {
                break;
            }
        }
        packet.extend_from_slice(&body);
        packet
    }

    #[test]
    fn publishes_are_framed_across_reads_and_counted() {
        let chunk = publish("hive/satellite/k/audio/chunk", &[0; 8 + 1280]);
        let start = publish("hive/satellite/k/audio/start", b"{}");
        let other = publish("hive/satellite/k/heartbeat", b"{}");
        let ping = vec![0xc0, 0x00];
        let stream: Vec<u8> = [
            chunk.clone(),
            ping.clone(),
            start.clone(),
            other,
            chunk.clone(),
        ]
        .concat();
        let mut counts = Counts::default();
        let mut framer = Framer::default();
        // Split at awkward places: inside a header, inside a payload.
        for piece in stream.chunks(7) {
            framer.push(piece, &mut counts);
        }
        assert_eq!(counts.chunks, 2);
        assert_eq!(counts.pcm_bytes, 2 * 1280);
        assert_eq!(counts.stream_bytes, (2 * chunk.len() + start.len()) as u64);
        // Audio, chunk header, topic and its length, type byte and a 2-byte length.
        let topic = "hive/satellite/k/audio/chunk".len();
        assert_eq!(chunk.len(), 1280 + 8 + 2 + topic + 1 + 2);
    }
}
