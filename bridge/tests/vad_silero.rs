//! Silero VAD with the real model on real speech: endpoints land where the speech is.
//!
//! Needs `vad/silero_vad.onnx`, `runtime/libonnxruntime.so.1.31.1` and `speech/jfk.wav` in the
//! models directory (`cargo run -p hive-bridge -- models install --all`) and `espeak-ng`.

mod vad_support;

use std::time::Instant;

use hive_bridge::vad::{
    EndReason, EndpointConfig, EndpointEvent, ONNX_RUNTIME_FILE, SAMPLE_RATE, SILERO_FRAME_LEN,
    SILERO_MODEL_FILE, SileroModel, StreamVad, Vad,
};
use vad_support::{
    CHUNK, espeak, model_file, padded, parse_wav, seconds, silero, stream_events, white_noise,
};

/// Allowed error on every endpoint: 0.3 s.
const TOLERANCE: u64 = SAMPLE_RATE as u64 * 3 / 10;

fn stream() -> StreamVad {
    StreamVad::new(Box::new(silero().detector()), EndpointConfig::default()).unwrap()
}

#[test]
fn spoken_question_starts_and_ends_where_the_speech_does() {
    let (audio, speech) = padded(&espeak("what time is it"), 1.0, 2.0);
    let (start, end) = (speech.start as u64, speech.end as u64);
    let mut stream = stream();
    let events = stream_events(&mut stream, &audio, CHUNK);

    let [
        EndpointEvent::SpeechStarted { at_sample: started },
        EndpointEvent::SpeechEnded {
            at_sample: ended,
            reason,
            speech_started_at,
        },
    ] = events[..]
    else {
        panic!("expected start then end, got {events:?}");
    };
    println!(
        "speech {:.2}–{:.2} s; started {:.2} s, ended {:.2} s",
        seconds(start),
        seconds(end),
        seconds(started),
        seconds(ended)
    );
    assert_eq!(speech_started_at, started);
    assert!(
        started.abs_diff(start) <= TOLERANCE,
        "started at {:.2} s, speech at {:.2} s",
        seconds(started),
        seconds(start)
    );
    assert_eq!(reason, EndReason::Silence);
    let expected_end = end + SAMPLE_RATE as u64 * 7 / 10;
    assert!(
        ended.abs_diff(expected_end) <= TOLERANCE,
        "ended at {:.2} s, expected {:.2} s (speech end + 0.7 s)",
        seconds(ended),
        seconds(expected_end)
    );
    let range = stream.speech_range().unwrap();
    assert!(
        range.start <= start && range.end >= end,
        "range {:.2}–{:.2} s must cover the speech",
        seconds(range.start),
        seconds(range.end)
    );
}

#[test]
fn chunk_size_does_not_change_the_endpoints() {
    let (audio, _) = padded(&espeak("what time is it"), 1.0, 2.0);
    let reference = stream_events(&mut stream(), &audio, CHUNK);
    for chunk in [320, 1600, 4096] {
        assert_eq!(
            stream_events(&mut stream(), &audio, chunk),
            reference,
            "chunks of {chunk}"
        );
    }
}

#[test]
fn silence_gives_up_at_the_timeout() {
    let events = stream_events(&mut stream(), &vec![0; 10 * SAMPLE_RATE as usize], CHUNK);
    assert_eq!(
        events,
        [EndpointEvent::NoSpeech {
            at_sample: 8 * SAMPLE_RATE as u64
        }]
    );
}

#[test]
fn low_white_noise_is_not_speech() {
    let events = stream_events(&mut stream(), &white_noise(10.0, -50.0), CHUNK);
    assert_eq!(
        events,
        [EndpointEvent::NoSpeech {
            at_sample: 8 * SAMPLE_RATE as u64
        }]
    );
}

#[test]
fn jfk_recording_is_speech() {
    let path = model_file("speech/jfk.wav");
    let bytes = std::fs::read(&path).unwrap();
    let (rate, audio) = parse_wav(&bytes);
    assert_eq!(rate, SAMPLE_RATE, "{} should be 16 kHz", path.display());

    let mut stream = stream();
    let events = stream_events(&mut stream, &audio, CHUNK);
    println!(
        "jfk.wav ({:.1} s): {events:?}",
        audio.len() as f64 / f64::from(SAMPLE_RATE)
    );
    let Some(EndpointEvent::SpeechStarted { at_sample }) = events.first() else {
        panic!("no speech detected in jfk.wav: {events:?}");
    };
    assert!(
        seconds(*at_sample) < 1.5,
        "speech starts at {:.2} s",
        seconds(*at_sample)
    );

    // Most frames of a continuous speech are speech.
    let mut detector = silero().detector();
    let probabilities: Vec<f32> = audio
        .chunks_exact(SILERO_FRAME_LEN)
        .map(|frame| {
            let frame: Vec<f32> = frame.iter().map(|&s| f32::from(s) / 32768.0).collect();
            detector.speech_probability(&frame).unwrap()
        })
        .collect();
    let speech =
        probabilities.iter().filter(|&&p| p >= 0.5).count() as f64 / probabilities.len() as f64;
    println!("jfk.wav: {:.0} % of frames are speech", speech * 100.0);
    assert!(
        speech > 0.5,
        "only {:.0} % of frames are speech",
        speech * 100.0
    );
}

/// Per-stream state: interleaving two streams on the shared model gives each the same
/// probabilities as running it alone, and reset makes a detector as good as new.
#[test]
fn detectors_share_the_model_but_not_their_state() {
    let frames = |audio: &[i16]| -> Vec<Vec<f32>> {
        audio
            .chunks_exact(SILERO_FRAME_LEN)
            .map(|frame| frame.iter().map(|&s| f32::from(s) / 32768.0).collect())
            .collect()
    };
    let speech = frames(&padded(&espeak("turn on the kitchen light"), 0.2, 0.2).0);
    let noise = frames(&white_noise(2.0, -30.0));
    let alone = |input: &[Vec<f32>]| -> Vec<f32> {
        let mut detector = silero().detector();
        input
            .iter()
            .map(|frame| detector.speech_probability(frame).unwrap())
            .collect()
    };
    let (speech_alone, noise_alone) = (alone(&speech), alone(&noise));

    let (mut a, mut b) = (silero().detector(), silero().detector());
    let mut interleaved = (Vec::new(), Vec::new());
    for (speech_frame, noise_frame) in speech.iter().zip(&noise) {
        interleaved
            .0
            .push(a.speech_probability(speech_frame).unwrap());
        interleaved
            .1
            .push(b.speech_probability(noise_frame).unwrap());
    }
    let n = interleaved.0.len();
    assert_eq!(interleaved.0, speech_alone[..n]);
    assert_eq!(interleaved.1, noise_alone[..n]);

    a.reset();
    let again: Vec<f32> = speech
        .iter()
        .map(|frame| a.speech_probability(frame).unwrap())
        .collect();
    assert_eq!(again, speech_alone);
}

/// Many streams at once: the workers batch their frames, and every stream still gets the
/// probabilities it gets alone (up to the rounding of a batched matrix product).
#[test]
fn concurrent_streams_are_batched_without_mixing_their_state() {
    let frames = |audio: &[i16]| -> Vec<Vec<f32>> {
        audio
            .chunks_exact(SILERO_FRAME_LEN)
            .map(|frame| frame.iter().map(|&s| f32::from(s) / 32768.0).collect())
            .collect()
    };
    let inputs = [
        frames(&padded(&espeak("turn on the kitchen light"), 0.2, 0.2).0),
        frames(&white_noise(2.0, -30.0)),
        frames(&padded(&espeak("what time is it"), 0.5, 0.1).0),
    ];
    // Its own model, not the binary's shared one: other tests running meanwhile would add
    // their frames to the counts.
    let model = SileroModel::load(
        &model_file(SILERO_MODEL_FILE),
        &model_file(ONNX_RUNTIME_FILE),
        2,
    )
    .unwrap();
    let alone = |input: &[Vec<f32>]| -> Vec<f32> {
        let mut detector = model.detector();
        input
            .iter()
            .map(|frame| detector.speech_probability(frame).unwrap())
            .collect()
    };
    let expected: Vec<Vec<f32>> = inputs.iter().map(|input| alone(input)).collect();

    let before = model.batch_counts();
    let streams = 24;
    let (inputs, alone) = (&inputs, &alone);
    let got: Vec<(usize, Vec<f32>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..streams)
            .map(|stream| {
                let which = stream % inputs.len();
                scope.spawn(move || (which, alone(&inputs[which])))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let after = model.batch_counts();
    for (which, probabilities) in &got {
        let want = &expected[*which];
        assert_eq!(probabilities.len(), want.len());
        for (frame, (got, want)) in probabilities.iter().zip(want).enumerate() {
            assert!(
                (got - want).abs() < 1e-3,
                "input {which}, frame {frame}: {got} batched, {want} alone"
            );
        }
    }
    let (runs, frames) = (after.runs - before.runs, after.frames - before.frames);
    let total: usize = got.iter().map(|(_, p)| p.len()).sum();
    assert_eq!(frames, total as u64, "every frame ran exactly once");
    println!(
        "{streams} streams at once: {frames} frames in {runs} runs ({:.1} per run)",
        frames as f64 / runs as f64
    );
    assert!(
        runs < frames,
        "{streams} streams at once never shared a run ({runs} runs for {frames} frames)"
    );
}

/// On-CPU time of the whole process in nanoseconds (`/proc/self/stat`: every thread, the
/// VAD's workers and threads already gone included), so the measurement holds on a loaded
/// machine where wall-clock time does not. Linux counts it in ticks of 10 ms.
fn process_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = text.rsplit_once(") ")?.1.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks * 10_000_000)
}

/// Measures the cost per 32 ms frame, for capacity planning (printed with `--nocapture`,
/// not asserted: no wall-clock assertions in tests): one stream alone, and many streams at
/// once, whose frames the workers batch.
#[test]
fn measure_cost_per_frame() {
    let (audio, _) = padded(&espeak("what time is it in London"), 0.5, 0.5);
    let frames: Vec<Vec<f32>> = audio
        .chunks_exact(SILERO_FRAME_LEN)
        .map(|frame| frame.iter().map(|&s| f32::from(s) / 32768.0).collect())
        .collect();
    const RUNS: usize = 3000;
    // A real-time stream needs 16000 / 512 = 31.25 frames per second.
    let frames_per_stream = f64::from(SAMPLE_RATE) / SILERO_FRAME_LEN as f64;

    let mut detector = silero().detector();
    for frame in frames.iter().take(20) {
        detector.speech_probability(frame).unwrap();
    }
    let (wall, cpu) = (Instant::now(), process_cpu_ns());
    for frame in frames.iter().cycle().take(RUNS) {
        detector.speech_probability(frame).unwrap();
    }
    let wall = wall.elapsed().as_secs_f64() / RUNS as f64;
    let cpu = cpu
        .zip(process_cpu_ns())
        .map(|(before, after)| (after - before) as f64 * 1e-9 / RUNS as f64);
    println!("Silero, one stream: {:.1} µs wall per frame", wall * 1e6);
    if let Some(cpu) = cpu {
        println!(
            "Silero, one stream: {:.1} µs CPU per frame = {:.1} % of a core per stream",
            cpu * 1e6,
            cpu * frames_per_stream * 100.0,
        );
    }

    // Many streams pushing frames as fast as they can, as on a busy bridge.
    for streams in [2, 16, 64] {
        let per_stream = RUNS / streams * 4;
        let (wall, cpu) = (Instant::now(), process_cpu_ns());
        std::thread::scope(|scope| {
            for _ in 0..streams {
                scope.spawn(|| {
                    let mut detector = silero().detector();
                    for frame in frames.iter().cycle().take(per_stream) {
                        detector.speech_probability(frame).unwrap();
                    }
                });
            }
        });
        let total = (streams * per_stream) as f64;
        let frames_per_second = total / wall.elapsed().as_secs_f64();
        let cpu = cpu
            .zip(process_cpu_ns())
            .map(|(before, after)| (after - before) as f64 * 1e-9 / total);
        println!(
            "Silero, {streams} streams at once: {frames_per_second:.0} frames/s wall = {:.0} real-time streams; {} µs CPU per frame",
            frames_per_second / frames_per_stream,
            cpu.map_or("?".into(), |cpu| format!("{:.1}", cpu * 1e6))
        );
    }
}
