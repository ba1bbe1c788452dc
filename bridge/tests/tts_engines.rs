//! The TTS engines with real models and programs: Piper with the `joe` voice, espeak-ng in
//! French and Dutch, the HTTP engine against a server on 127.0.0.1, and the chain falling
//! back from really broken engines.
//!
//! Needs the models directory (`$HIVE_MODELS_DIR`, default `~/.cache/hive/models`) with the
//! Piper voice and ONNX Runtime, and `espeak-ng` on `PATH`. Missing models fail the tests
//! with the command that installs them.

use std::net::SocketAddr;
use std::sync::Arc;

use hive_bridge::models::ModelsDir;
use hive_bridge::tts::{
    BuildContext, EspeakConfig, HttpConfig, HttpRequest, PiperConfig, Speech, Tts, TtsChain,
    TtsConfig, TtsError, encode_wav,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const INSTALL: &str = "run `cargo run -p hive-bridge -- models install --all`";

/// The models directory, failing the test if the Piper voice or ONNX Runtime is missing.
fn context() -> BuildContext {
    let models = ModelsDir::from_env(|name| std::env::var(name).ok());
    let ctx = BuildContext::new(models.clone());
    for path in [
        models.path("tts/en_US-joe-medium.onnx"),
        models.path("tts/en_US-joe-medium.onnx.json"),
        ctx.onnxruntime.clone(),
    ] {
        assert!(path.is_file(), "{} is missing: {INSTALL}", path.display());
    }
    ctx
}

fn piper(ctx: &BuildContext) -> Arc<dyn Tts> {
    TtsConfig::Piper(PiperConfig::default())
        .build(ctx)
        .unwrap_or_else(|error| panic!("Piper voice does not load: {error}"))
}

fn espeak(ctx: &BuildContext) -> Arc<dyn Tts> {
    TtsConfig::Espeak(EspeakConfig::default())
        .build(ctx)
        .unwrap_or_else(|error| panic!("espeak-ng does not run: {error}"))
}

/// Speech a listener would hear: at least `min` seconds, at most `max`, not silence.
fn assert_audible(speech: &Speech, min: f64, max: f64) {
    let seconds = speech.duration().as_secs_f64();
    assert!(
        (min..=max).contains(&seconds),
        "{seconds:.2} s of audio, expected {min}–{max} s"
    );
    assert!(
        speech.rms() > 0.02,
        "audio is almost silent (RMS {:.4})",
        speech.rms()
    );
    let loud = speech
        .samples
        .iter()
        .filter(|s| s.unsigned_abs() > 3_000)
        .count();
    assert!(
        loud > speech.samples.len() / 50,
        "only {loud} loud samples of {}",
        speech.samples.len()
    );
}

/// What every engine must do, whatever it is.
fn conformance(engine: &dyn Tts, lang: &str, text: &str) -> Speech {
    assert!(
        engine.supports(lang),
        "{} should speak {lang}",
        engine.name()
    );
    assert!(
        !engine.supports("zz"),
        "{} claims to speak `zz`",
        engine.name()
    );
    match engine.synthesize(text, "zz") {
        Err(TtsError::UnsupportedLanguage { engine: name, lang }) => {
            assert_eq!((name.as_str(), lang.as_str()), (engine.name(), "zz"))
        }
        other => panic!(
            "{} answered {other:?} for an unsupported language",
            engine.name()
        ),
    }
    // Nothing to say is not an error.
    let _ = engine
        .synthesize("", lang)
        .unwrap_or_else(|error| panic!("{} fails on empty text: {error}", engine.name()));
    engine
        .health()
        .unwrap_or_else(|error| panic!("{} is unhealthy: {error}", engine.name()));
    let speech = engine
        .synthesize(text, lang)
        .unwrap_or_else(|error| panic!("{} cannot speak: {error}", engine.name()));
    assert!(speech.sample_rate > 0);
    speech
}

#[test]
fn piper_speaks_english() {
    let ctx = context();
    let piper = piper(&ctx);
    assert_eq!(piper.name(), "piper");
    assert!(piper.supports("en-US") && !piper.supports("fr"));
    let speech = conformance(piper.as_ref(), "en", "The time is seven thirty.");
    assert_eq!(speech.sample_rate, 22_050);
    assert_audible(&speech, 0.8, 5.0);
}

#[test]
fn piper_speaks_several_sentences_with_pauses() {
    let ctx = context();
    let piper = piper(&ctx);
    let one = piper.synthesize("The kitchen light is on.", "en").unwrap();
    let two = piper
        .synthesize(
            "The kitchen light is on. The timer is set, for ten minutes!",
            "en",
        )
        .unwrap();
    assert_audible(&two, 1.5, 9.0);
    assert!(two.duration() > one.duration() + std::time::Duration::from_millis(500));
}

#[test]
fn espeak_speaks_french_and_dutch() {
    let ctx = context();
    let espeak = espeak(&ctx);
    assert_eq!(espeak.name(), "espeak");
    let french = conformance(espeak.as_ref(), "fr", "Il est sept heures.");
    assert_eq!(french.sample_rate, 22_050);
    assert_audible(&french, 0.5, 5.0);
    let dutch = conformance(espeak.as_ref(), "nl", "Het is zeven uur.");
    assert_audible(&dutch, 0.5, 5.0);
    // Any language espeak-ng has a voice for, not only the configured ones.
    assert!(espeak.supports("de") && espeak.supports("en-GB"));
    assert_audible(&espeak.synthesize("Guten Tag.", "de").unwrap(), 0.3, 5.0);
}

#[test]
fn text_starting_with_a_dash_or_quotes_is_spoken_not_parsed() {
    let ctx = context();
    let espeak = espeak(&ctx);
    let speech = espeak
        .synthesize("--version \"quoted\" $HOME `ls`", "en")
        .unwrap();
    assert_audible(&speech, 0.5, 8.0);
}

#[test]
fn the_chain_skips_a_corrupt_piper_voice_and_speaks_with_espeak() {
    let ctx = context();
    let dir = tempfile::tempdir().unwrap();
    // The first megabyte of the real voice: a truncated download.
    let real = std::fs::read(ctx.models_dir.path("tts/en_US-joe-medium.onnx")).unwrap();
    let corrupt = dir.path().join("broken.onnx");
    std::fs::write(&corrupt, &real[..1 << 20]).unwrap();
    std::fs::copy(
        ctx.models_dir.path("tts/en_US-joe-medium.onnx.json"),
        dir.path().join("broken.onnx.json"),
    )
    .unwrap();
    let configs = [
        TtsConfig::Piper(PiperConfig {
            model: corrupt.clone(),
            ..PiperConfig::default()
        }),
        TtsConfig::Espeak(EspeakConfig::default()),
    ];
    let built = TtsChain::build(&configs, &ctx).unwrap();
    assert_eq!(built.failures.len(), 1);
    let (index, failure) = &built.failures[0];
    assert_eq!((*index, failure.engine.as_str()), (0, "piper"));
    assert!(
        matches!(failure.error, TtsError::EngineUnavailable { .. }),
        "{:?}",
        failure.error
    );
    assert!(
        failure.error.to_string().contains("broken.onnx"),
        "{}",
        failure.error
    );
    let spoken = built.chain.speak("The time is 7:30.", "en").unwrap();
    assert_eq!(spoken.engine, "espeak");
    assert_audible(&spoken.speech, 0.5, 5.0);
}

#[test]
fn a_corrupt_voice_configuration_is_reported_with_its_path() {
    let ctx = context();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("voice.onnx.json");
    std::fs::write(
        &json,
        "{\"audio\": {\"sample_rate\": 22050}, \"phoneme_id_map\": ",
    )
    .unwrap();
    let config = PiperConfig {
        config: Some(json.clone()),
        ..PiperConfig::default()
    };
    let error = TtsConfig::Piper(config)
        .build(&ctx)
        .map(|_| ())
        .unwrap_err();
    assert!(
        matches!(
            error,
            TtsError::Config {
                field: "tts.config",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().contains(&json.display().to_string()),
        "{error}"
    );
}

#[test]
fn a_chain_speaks_french_with_espeak_after_english_piper() {
    let ctx = context();
    let chain = TtsChain::new(vec![piper(&ctx), espeak(&ctx)]);
    let english = chain.speak("It is 21°C.", "en").unwrap();
    assert_eq!(english.engine, "piper");
    assert_audible(&english.speech, 0.8, 6.0);
    let french = chain.speak("Il est 14h05.", "fr").unwrap();
    assert_eq!(french.engine, "espeak");
    assert!(
        french.failures.is_empty(),
        "Piper was not asked to speak French"
    );
    assert!(matches!(
        chain.speak("hello", "zz"),
        Err(TtsError::UnsupportedLanguage { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// The HTTP engine, against a real HTTP server on 127.0.0.1.

/// A request the test server received.
#[derive(Debug)]
struct Received {
    head: String,
    body: Vec<u8>,
}

/// Serves every request with `status` and `body` (as `audio/wav`); reports each request.
async fn serve(status: &'static str, body: Vec<u8>) -> (SocketAddr, mpsc::Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let tx = tx.clone();
            let body = body.clone();
            tokio::spawn(async move {
                let mut data = Vec::new();
                let mut buf = [0u8; 4096];
                let head_end = loop {
                    if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                        break end + 4;
                    }
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => data.extend_from_slice(&buf[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&data[..head_end]).to_string();
                let length = head
                    .lines()
                    .find_map(|line| {
                        line.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                    })
                    .unwrap_or(0);
                while data.len() < head_end + length {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => data.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = tx
                    .send(Received {
                        head,
                        body: data[head_end..head_end + length].to_vec(),
                    })
                    .await;
                let response = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: audio/wav\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.write_all(&body).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (addr, rx)
}

/// One second of a 440 Hz tone at 16 kHz, as a WAV file.
fn tone() -> Vec<u8> {
    let samples = (0..16_000)
        .map(|i| ((i as f32 * 440.0 * std::f32::consts::TAU / 16_000.0).sin() * 12_000.0) as i16)
        .collect();
    encode_wav(&Speech {
        samples,
        sample_rate: 16_000,
    })
    .unwrap()
}

fn http_config(addr: SocketAddr, request: HttpRequest) -> TtsConfig {
    TtsConfig::Http(HttpConfig {
        url: format!("http://{addr}/api/tts"),
        timeout_ms: 5_000,
        languages: vec!["en".into()],
        request,
    })
}

/// Runs blocking engine calls off the runtime's workers, as the bridge does.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_engine_posts_json_and_decodes_the_wav() {
    let (addr, mut requests) = serve("200 OK", tone()).await;
    let ctx = BuildContext::new(ModelsDir::new("/nonexistent"));
    let engine = http_config(addr, HttpRequest::Json).build(&ctx).unwrap();
    let engine2 = engine.clone();
    let speech = blocking(move || conformance(engine2.as_ref(), "en-US", "Hello there.")).await;
    assert_eq!(speech, hive_bridge::tts::decode_wav(&tone()).unwrap());
    // The unsupported-language call never reached the server; the empty text, the health
    // check and the real text did.
    let mut bodies = Vec::new();
    for _ in 0..3 {
        let request = requests.recv().await.unwrap();
        assert!(
            request.head.starts_with("POST /api/tts HTTP/1.1"),
            "{}",
            request.head
        );
        assert!(
            request
                .head
                .to_ascii_lowercase()
                .contains("content-type: application/json"),
            "{}",
            request.head
        );
        bodies.push(serde_json::from_slice::<serde_json::Value>(&request.body).unwrap());
    }
    assert_eq!(
        bodies[2],
        serde_json::json!({"text": "Hello there.", "language": "en-US"})
    );
    drop(engine);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_engine_can_post_plain_text() {
    let (addr, mut requests) = serve("200 OK", tone()).await;
    let ctx = BuildContext::new(ModelsDir::new("/nonexistent"));
    let engine = http_config(addr, HttpRequest::Text).build(&ctx).unwrap();
    let speech = blocking(move || engine.synthesize("Bonjour à tous", "en"))
        .await
        .unwrap();
    assert_eq!(speech.sample_rate, 16_000);
    let request = requests.recv().await.unwrap();
    assert!(
        request
            .head
            .to_ascii_lowercase()
            .contains("content-type: text/plain; charset=utf-8"),
        "{}",
        request.head
    );
    assert_eq!(String::from_utf8(request.body).unwrap(), "Bonjour à tous");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_errors_and_garbage_are_synthesis_errors() {
    let ctx = BuildContext::new(ModelsDir::new("/nonexistent"));
    let (failing, _requests) = serve("500 Internal Server Error", b"model crashed".to_vec()).await;
    let (garbage, _garbage_requests) = serve("200 OK", b"<html>not audio</html>".to_vec()).await;
    // A port nothing listens on: bind, note the port, close.
    let closed = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    for (addr, expected) in [
        (failing, "500 Internal Server Error: model crashed"),
        (garbage, "unreadable audio"),
        (closed, "POST http://"),
    ] {
        let engine = http_config(addr, HttpRequest::Json).build(&ctx).unwrap();
        let error = blocking(move || engine.synthesize("hi", "en"))
            .await
            .unwrap_err();
        assert!(matches!(error, TtsError::Synthesis { .. }), "{error:?}");
        assert!(error.to_string().contains(expected), "{error}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chain_falls_back_from_a_failing_server_to_espeak() {
    let ctx = context().with_runtime(tokio::runtime::Handle::current());
    let (addr, mut requests) = serve("503 Service Unavailable", b"overloaded".to_vec()).await;
    let configs = [
        http_config(addr, HttpRequest::Json),
        TtsConfig::Espeak(EspeakConfig::default()),
    ];
    let built = TtsChain::build(&configs, &ctx).unwrap();
    assert!(built.failures.is_empty());
    let chain = built.chain;
    let spoken = blocking(move || chain.speak("The door is locked.", "en"))
        .await
        .unwrap();
    assert_eq!(spoken.engine, "espeak");
    assert_eq!(spoken.failures.len(), 1);
    assert_eq!(spoken.failures[0].engine, "http");
    assert!(
        spoken.failures[0].error.to_string().contains("503"),
        "{}",
        spoken.failures[0].error
    );
    assert_audible(&spoken.speech, 0.5, 5.0);
    assert!(
        requests.recv().await.is_some(),
        "the server was asked first"
    );
}

#[test]
fn the_http_engine_needs_a_runtime() {
    let ctx = BuildContext::new(ModelsDir::new("/nonexistent"));
    let config = http_config("127.0.0.1:9".parse().unwrap(), HttpRequest::Json);
    let error = config.build(&ctx).map(|_| ()).unwrap_err();
    assert!(
        error.to_string().contains("needs a Tokio runtime"),
        "{error}"
    );
}

#[test]
fn piper_shares_the_process_onnx_runtime_with_silero_vad() {
    // ONNX Runtime allows one environment per process: whichever of VAD and TTS loads first
    // creates it, and the other must use it rather than fail.
    let ctx = context();
    hive_bridge::vad::init_onnx_runtime(&ctx.onnxruntime).unwrap();
    let piper = piper(&ctx);
    assert_audible(&piper.synthesize("Hello.", "en").unwrap(), 0.2, 3.0);
}
