//! The readiness probe: one hand-encoded MQTT 3.1.1 CONNECT and its CONNACK.
//!
//! A TCP connect alone is not enough: Mosquitto binds its listener before it has finished
//! starting, and a test that connects in that window can see its first packets dropped.
//! A CONNACK proves the broker runs its protocol loop. Any return code counts, because the
//! project's configuration refuses anonymous clients ("not authorised" still means "up").

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

/// Client id of the probe; it never subscribes, so its session is empty either way.
const PROBE_CLIENT_ID: &[u8] = b"hive-tests-ready-probe";

// The CONNECT packet is 12 bytes plus the client id; below 128 bytes its remaining length
// is a single byte, which `connect_packet` relies on.
const _: () = assert!(PROBE_CLIENT_ID.len() < 100);

/// How long one probe waits to connect or for the CONNACK. The caller retries until its
/// own deadline, so this only bounds a single attempt against a broker that hangs.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(1);

/// Connects to `127.0.0.1:port`, sends CONNECT and reads the CONNACK.
///
/// Accepts any CONNACK return code (0 accepted, 5 not authorised, ...) and returns the
/// probe's own local port, which the broker writes in its "New connection" log line: the
/// caller uses it to tell its broker from another one on the same port. After an accepted
/// connection the probe sends DISCONNECT so the broker logs a clean goodbye.
///
/// # Errors
///
/// Any I/O error (connection refused while Mosquitto is still starting), or
/// `InvalidData` when the reply is not a CONNACK.
pub(crate) fn mqtt_handshake(port: u16) -> io::Result<u16> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&address, ATTEMPT_TIMEOUT)?;
    let local_port = stream.local_addr()?.port();
    stream.set_read_timeout(Some(ATTEMPT_TIMEOUT))?;
    stream.set_write_timeout(Some(ATTEMPT_TIMEOUT))?;
    stream.write_all(&connect_packet())?;

    let mut connack = [0_u8; 4];
    stream.read_exact(&mut connack)?;
    // CONNACK: packet type 2, remaining length 2, acknowledge flags, return code.
    if connack[0] != 0x20 || connack[1] != 0x02 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("expected a CONNACK, received {connack:02x?}"),
        ));
    }
    if connack[3] == 0 {
        // DISCONNECT; the broker closes the connection itself after a refusal.
        stream.write_all(&[0xE0, 0x00])?;
    }
    Ok(local_port)
}

/// An MQTT 3.1.1 CONNECT packet: clean session, keep-alive 10 s, no credentials.
fn connect_packet() -> Vec<u8> {
    let mut body = Vec::with_capacity(32);
    body.extend_from_slice(&[0x00, 0x04]);
    body.extend_from_slice(b"MQTT");
    body.push(0x04); // Protocol level 4: MQTT 3.1.1.
    body.push(0x02); // Connect flags: clean session only.
    body.extend_from_slice(&10_u16.to_be_bytes()); // Keep-alive in seconds.
    body.extend_from_slice(&(PROBE_CLIENT_ID.len() as u16).to_be_bytes());
    body.extend_from_slice(PROBE_CLIENT_ID);

    let mut packet = Vec::with_capacity(body.len() + 2);
    packet.push(0x10);
    packet.push(body.len() as u8); // Below 128 (see the assertion above): one byte.
    packet.extend_from_slice(&body);
    packet
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_packet_is_mqtt_3_1_1_with_clean_session() {
        let packet = connect_packet();
        assert_eq!(packet[0], 0x10);
        assert_eq!(usize::from(packet[1]), packet.len() - 2);
        assert_eq!(&packet[2..8], b"\x00\x04MQTT");
        assert_eq!(packet[8], 4);
        assert_eq!(packet[9], 0x02);
        assert_eq!(&packet[12..14], &[0, 22]);
        assert_eq!(&packet[14..], PROBE_CLIENT_ID);
    }
}
