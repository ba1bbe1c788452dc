//! Secrets never reach the logs: the real `hive-bridge` program, logging everything at debug
//! level, is given an MQTT password (from a file, then from the environment), a Home
//! Assistant token and an OpenWeatherMap key, answers turns that use them, and none of them
//! appears on its standard output or error.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hive_tests::cli::bridge_binary;
use hive_tests::{Broker, ScriptedSatellite};

const WAIT: Duration = Duration::from_secs(120);

/// Distinctive values that cannot appear in a log by chance.
const PASSWORD: &str = "pw-Zq81xKcanary";
const HA_TOKEN: &str = "ha-Wv27pLcanary";
const OWM_KEY: &str = "owm-Jt64rNcanary";

/// How the bridge gets its MQTT password.
enum Password {
    File,
    Env,
}

/// Runs `hive-bridge run` with `RUST_LOG=debug`, asks a typed question that uses each
/// connected skill, stops it gracefully and returns everything it printed.
async fn run_and_capture(password: Password) -> String {
    let program = bridge_binary().unwrap();
    // Anonymous satellites are let in; the bridge's user must give its password.
    let broker = Broker::builder()
        .user("hive-bridge", PASSWORD)
        .start()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (password_line, env_password) = match password {
        Password::File => {
            let file = dir.path().join("mqtt-password");
            std::fs::write(&file, format!("{PASSWORD}\n")).unwrap();
            (format!("password_file = \"{}\"\n", file.display()), None)
        }
        Password::Env => (
            "password = \"${HIVE_TEST_MQTT_PASSWORD}\"\n".to_owned(),
            Some(PASSWORD),
        ),
    };
    // Both connected services point at a closed port: their requests fail, which is where
    // an error message could carry a URL with the key in it.
    let config = dir.path().join("bridge.toml");
    std::fs::write(
        &config,
        format!(
            "[mqtt]\nurl = \"{}\"\nclient_id = \"bridge-secrets-test\"\nusername = \"hive-bridge\"\n\
             {password_line}\
             [stt]\ntype = \"whisper\"\nmodel = \"whisper/ggml-tiny.en.bin\"\nlanguage = \"en\"\n\
             [context]\npath = \"{}\"\n[http]\nenabled = false\n\
             [skills.homeassistant]\nurl = \"http://127.0.0.1:9\"\n\
             [skills.weather]\nprovider = \"openweathermap\"\nlocation = \"Paris\"\n\
             openweathermap_url = \"http://127.0.0.1:9\"\n",
            broker.url(),
            dir.path().join("context").display()
        ),
    )
    .unwrap();
    let mut command = Command::new(program);
    command
        .args(["run", "--config"])
        .arg(&config)
        .env("RUST_LOG", "debug")
        .env_remove("HIVE_CONFIG")
        .env("HIVE_HOMEASSISTANT_TOKEN", HA_TOKEN)
        .env("HIVE_OPENWEATHERMAP_API_KEY", OWM_KEY)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(secret) = env_password {
        command.env("HIVE_TEST_MQTT_PASSWORD", secret);
    }
    let mut child = command.spawn().unwrap();
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let readers: Vec<_> = [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ]
    .into_iter()
    .map(|pipe| {
        let lines = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                lines.lock().unwrap().push(line);
            }
        })
    })
    .collect();

    // The bridge logged in with the password (else it would never be online), and answers.
    let mut kitchen = ScriptedSatellite::connect(&broker, "kitchen")
        .await
        .unwrap();
    kitchen.wait_bridge_online(WAIT).await.unwrap();
    for (session, question) in [
        (1, "What's the weather like in Paris?"),
        (2, "Turn on the kitchen light."),
    ] {
        kitchen.type_text(session, question).await.unwrap();
        let reply = kitchen.reply(session, WAIT).await.unwrap();
        assert!(!reply.text().is_empty(), "{question}: no answer");
    }

    // A graceful stop (SIGTERM), so that every line is written.
    let stopped = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    for reader in readers {
        reader.join().unwrap();
    }
    let lines = lines.lock().unwrap().join("\n");
    // Debug logging was on and the turns were logged: the check below has something to read.
    assert!(lines.contains("DEBUG"), "no debug lines: {lines}");
    assert!(
        lines.contains("weather"),
        "the weather turn was not logged: {lines}"
    );
    lines
}

fn assert_no_secret(logs: &str) {
    for secret in [PASSWORD, HA_TOKEN, OWM_KEY] {
        let leaked: Vec<&str> = logs.lines().filter(|line| line.contains(secret)).collect();
        assert!(leaked.is_empty(), "{secret} was logged: {leaked:#?}");
    }
}

/// One test, the two runs in turn: two bridges loading models at once on a small machine
/// only made the turns slow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_mqtt_password_a_token_and_an_api_key_never_appear_in_debug_logs() {
    hive_tests::init_logs();
    assert_no_secret(&run_and_capture(Password::File).await);
    assert_no_secret(&run_and_capture(Password::Env).await);
}
