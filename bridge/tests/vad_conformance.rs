//! One suite run against every VAD engine: what any `Vad` must do for the bridge to rely on it.

mod vad_support;

use std::sync::Arc;

use hive_bridge::vad::{
    BuiltVad, EndReason, EndpointConfig, EndpointEvent, SAMPLE_RATE, VadConfig, VadError,
    VadFactory, VadSection,
};
use vad_support::{CHUNK, espeak, models_dir, padded, seconds, silero, stream_events};

fn engines() -> Vec<Arc<dyn VadFactory>> {
    let energy = VadSection {
        engine: VadConfig::Energy {
            threshold_dbfs: -40.0,
        },
        ..VadSection::default()
    }
    .build(models_dir().root())
    .unwrap();
    vec![Arc::new(silero().clone()), Arc::clone(energy.factory())]
}

#[test]
fn every_engine_passes_its_health_check() {
    for engine in engines() {
        engine
            .health_check()
            .unwrap_or_else(|error| panic!("{}: {error}", engine.name()));
    }
}

#[test]
fn every_engine_calls_silence_silence() {
    for engine in engines() {
        let mut detector = engine.detector();
        assert!(detector.frame_len() > 0);
        let silence = vec![0.0; detector.frame_len()];
        for _ in 0..10 {
            let probability = detector.speech_probability(&silence).unwrap();
            assert!(
                (0.0..0.1).contains(&probability),
                "{}: silence has probability {probability}",
                engine.name()
            );
        }
    }
}

#[test]
fn every_engine_rejects_frames_of_the_wrong_length() {
    for engine in engines() {
        let mut detector = engine.detector();
        let expected = detector.frame_len();
        let error = detector
            .speech_probability(&vec![0.0; expected + 1])
            .unwrap_err();
        assert!(
            matches!(error, VadError::FrameLength { expected: e, got } if e == expected && got == expected + 1),
            "{}: {error:?}",
            engine.name()
        );
    }
}

#[test]
fn every_engine_is_deterministic_after_reset() {
    let (audio, _) = padded(&espeak("good morning"), 0.3, 0.3);
    for engine in engines() {
        let mut detector = engine.detector();
        let frames: Vec<Vec<f32>> = audio
            .chunks_exact(detector.frame_len())
            .map(|frame| frame.iter().map(|&s| f32::from(s) / 32768.0).collect())
            .collect();
        let first: Vec<f32> = frames
            .iter()
            .map(|frame| detector.speech_probability(frame).unwrap())
            .collect();
        detector.reset();
        let second: Vec<f32> = frames
            .iter()
            .map(|frame| detector.speech_probability(frame).unwrap())
            .collect();
        assert_eq!(first, second, "{}", engine.name());
    }
}

#[test]
fn every_engine_endpoints_a_clean_utterance() {
    let (audio, speech) = padded(&espeak("what time is it"), 1.0, 2.0);
    let tolerance = u64::from(SAMPLE_RATE) * 3 / 10;
    for engine in engines() {
        let built = BuiltVad::new(Arc::clone(&engine), EndpointConfig::default()).unwrap();
        let events = stream_events(&mut built.stream(), &audio, CHUNK);
        let [
            EndpointEvent::SpeechStarted { at_sample: started },
            EndpointEvent::SpeechEnded {
                at_sample: ended,
                reason: EndReason::Silence,
                ..
            },
        ] = events[..]
        else {
            panic!("{}: expected start then end, got {events:?}", engine.name());
        };
        let expected_end = speech.end as u64 + u64::from(SAMPLE_RATE) * 7 / 10;
        println!(
            "{}: speech {:.2}–{:.2} s, started {:.2} s, ended {:.2} s",
            engine.name(),
            seconds(speech.start as u64),
            seconds(speech.end as u64),
            seconds(started),
            seconds(ended)
        );
        assert!(
            started.abs_diff(speech.start as u64) <= tolerance,
            "{}: started at {:.2} s",
            engine.name(),
            seconds(started)
        );
        assert!(
            ended.abs_diff(expected_end) <= tolerance,
            "{}: ended at {:.2} s",
            engine.name(),
            seconds(ended)
        );
    }
}

#[test]
fn every_engine_reports_no_speech_in_silence() {
    for engine in engines() {
        let built = BuiltVad::new(Arc::clone(&engine), EndpointConfig::default()).unwrap();
        let events = stream_events(
            &mut built.stream(),
            &vec![0; 9 * SAMPLE_RATE as usize],
            CHUNK,
        );
        assert_eq!(
            events,
            [EndpointEvent::NoSpeech {
                at_sample: 8 * u64::from(SAMPLE_RATE)
            }],
            "{}",
            engine.name()
        );
    }
}
