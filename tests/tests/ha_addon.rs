//! The Home Assistant add-on (`homeassistant/`): `config.yaml` follows the Supervisor's
//! add-on schema rules, the Dockerfile names its base image, and `run.sh` turns the add-on
//! options and the MQTT service's credentials into a configuration the bridge's own
//! loader accepts.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

const ADDON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../homeassistant");

fn config_yaml() -> Value {
    let text = std::fs::read_to_string(Path::new(ADDON).join("config.yaml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

/// An option type of the add-on schema: `str`, `bool`, `int`, `float`, `email`, `url`,
/// `password`, `port`, `match(regex)`, `list(a|b)`, with an optional `(min,max)` range on
/// numbers and strings and a trailing `?` for optional options.
fn parse_type(spec: &str) -> Result<(String, bool), String> {
    let (spec, optional) = match spec.strip_suffix('?') {
        Some(spec) => (spec, true),
        None => (spec, false),
    };
    let base = spec.split('(').next().unwrap_or("");
    let ok = match base {
        "str" | "int" | "float" => {
            spec == base
                || spec
                    .strip_prefix(base)
                    .and_then(|rest| rest.strip_prefix('(')?.strip_suffix(')'))
                    .is_some_and(|range| range.split(',').count() == 2)
        }
        "bool" | "email" | "url" | "password" | "port" | "device" => spec == base,
        "match" => spec.starts_with("match(") && spec.ends_with(')') && spec.len() > 7,
        "list" => {
            spec.starts_with("list(")
                && spec.ends_with(')')
                && spec[5..spec.len() - 1].split('|').all(|v| !v.is_empty())
        }
        _ => false,
    };
    if ok {
        Ok((spec.to_owned(), optional))
    } else {
        Err(format!("bad schema type {spec}"))
    }
}

/// Whether an option's default value fits its schema type.
fn fits(spec: &str, value: &Value) -> bool {
    let base = spec.split('(').next().unwrap_or("");
    match base {
        "str" | "email" | "url" | "password" | "device" => value.is_string(),
        "bool" => value.is_boolean(),
        "int" | "port" => value.is_i64() || value.is_u64(),
        "float" => value.is_number(),
        "list" => {
            let choices: Vec<&str> = spec[5..spec.len() - 1].split('|').collect();
            value.as_str().is_some_and(|v| choices.contains(&v))
        }
        "match" => value.is_string(),
        _ => false,
    }
}

#[test]
fn config_yaml_follows_the_add_on_schema_rules() {
    let config = config_yaml();
    for key in ["name", "version", "slug", "description", "arch"] {
        assert!(config.get(key).is_some(), "config.yaml needs {key}");
    }
    for key in ["name", "version", "slug", "description"] {
        assert!(
            config[key].as_str().is_some_and(|v| !v.trim().is_empty()),
            "{key} must be a non-empty string"
        );
    }
    let slug = config["slug"].as_str().unwrap();
    assert!(
        slug.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
        "slug {slug}"
    );
    let arch: Vec<&str> = config["arch"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    for value in &arch {
        assert!(
            ["armhf", "armv7", "aarch64", "amd64", "i386"].contains(value),
            "arch {value}"
        );
    }
    assert!(arch.contains(&"aarch64") && arch.contains(&"amd64"));
    let services: Vec<&str> = config["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    for service in &services {
        let (name, need) = service.split_once(':').unwrap();
        assert!(
            ["mqtt", "mysql"].contains(&name) && ["provide", "want", "need"].contains(&need),
            "service {service}"
        );
    }
    assert!(services.contains(&"mqtt:need"));
    assert_eq!(config["homeassistant_api"], json!(true));
    if let Some(startup) = config.get("startup") {
        assert!(
            ["initialize", "system", "services", "application", "once"]
                .contains(&startup.as_str().unwrap())
        );
    }
    if let Some(boot) = config.get("boot") {
        assert!(["auto", "manual", "manual_only"].contains(&boot.as_str().unwrap()));
    }
    let maps = config["map"].as_array().unwrap();
    for entry in maps {
        let kind = entry["type"].as_str().unwrap();
        assert!(
            [
                "homeassistant_config",
                "addon_config",
                "ssl",
                "addons",
                "backup",
                "share",
                "media",
                "all_addon_configs",
                "data"
            ]
            .contains(&kind),
            "map type {kind}"
        );
        if let Some(read_only) = entry.get("read_only") {
            assert!(read_only.is_boolean());
        }
    }
    assert!(
        maps.iter().any(|m| m["type"] == "share"),
        "models live in /share"
    );

    // Every option has a schema entry that fits it; every required schema entry a default.
    let options = config["options"].as_object().unwrap();
    let schema = config["schema"].as_object().unwrap();
    for (key, spec) in schema {
        let (spec, optional) = parse_type(spec.as_str().unwrap()).unwrap();
        match options.get(key) {
            Some(value) => assert!(
                fits(&spec, value),
                "option {key} = {value} does not fit {spec}"
            ),
            None => assert!(optional, "required option {key} has no default"),
        }
    }
    for key in options.keys() {
        assert!(schema.contains_key(key), "option {key} has no schema entry");
    }
}

#[test]
fn the_dockerfile_names_its_base_image_and_builds_the_bridge() {
    let text = std::fs::read_to_string(Path::new(ADDON).join("Dockerfile")).unwrap();
    let froms: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("FROM "))
        .collect();
    assert!(!froms.is_empty());
    for from in froms {
        let image = from.split_whitespace().nth(1).unwrap();
        assert!(
            !image.contains('$') && image.contains(':'),
            "explicit, pinned image: {from}"
        );
    }
    assert!(text.contains("-p hive-bridge"));
    // The bridge runs a local model through hive-llm, which it looks for beside itself.
    assert!(text.contains("-p hive-llm") && text.contains("/usr/local/bin/hive-llm"));
    assert!(text.contains("run.sh"));
}

struct Run {
    dir: tempfile::TempDir,
    config: PathBuf,
}

fn run_script(options: &Value, service: Option<&Value>) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let options_file = dir.path().join("options.json");
    std::fs::write(&options_file, options.to_string()).unwrap();
    let config = dir.path().join("out/bridge.toml");
    let mut command = Command::new("bash");
    command
        .arg(Path::new(ADDON).join("run.sh"))
        .env("OPTIONS_FILE", &options_file)
        .env("CONFIG_OUT", &config)
        .env("DATA_DIR", dir.path().join("data"))
        .env("MODELS_DIR", dir.path().join("models"))
        .env("HIVE_ADDON_DRY_RUN", "1")
        .env_remove("SUPERVISOR_TOKEN")
        .env_remove("MQTT_SERVICE_FILE")
        .env_remove("INGRESS_PORT");
    if let Some(service) = service {
        let file = dir.path().join("service.json");
        std::fs::write(&file, service.to_string()).unwrap();
        command.env("MQTT_SERVICE_FILE", file);
    }
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "run.sh failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Run { dir, config }
}

fn load(path: &Path) -> hive_bridge::config::BridgeConfig {
    let no_env = |_: &str| None;
    hive_bridge::config::load(path, &no_env).unwrap_or_else(|error| panic!("{error}"))
}

#[test]
fn the_run_script_writes_a_configuration_the_bridge_loads() {
    // The add-on's defaults from config.yaml, plus a language model.
    let mut options = config_yaml()["options"].clone();
    options["llm_url"] = json!("http://ollama.lan:11434/v1");
    options["llm_model"] = json!("qwen2.5:3b");
    options["assistant_name"] = json!("Jarvis \"J\"");
    let service = json!({"result": "ok", "data": {"host": "core-mosquitto", "port": 1883, "ssl": false, "protocol": "3.1.1", "username": "addons", "password": "pw with spaces"}});
    let run = run_script(&options, Some(&service));
    let config = load(&run.config);
    assert_eq!(config.mqtt.url, "mqtt://core-mosquitto:1883");
    assert_eq!(config.mqtt.username.as_deref(), Some("addons"));
    assert_eq!(config.mqtt.prefix, "hive");
    let password = config
        .mqtt
        .password_file
        .clone()
        .expect("password in a file");
    assert_eq!(
        std::fs::read_to_string(&password).unwrap().trim_end(),
        "pw with spaces"
    );
    assert!(
        !std::fs::read_to_string(&run.config)
            .unwrap()
            .contains("pw with spaces"),
        "the password must not be in bridge.toml"
    );
    assert_eq!(config.assistant.name, "Jarvis \"J\"");
    assert_eq!(
        config.models.dir.as_deref(),
        Some(run.dir.path().join("models").as_path())
    );
    assert_eq!(config.context_path(), run.dir.path().join("data/context"));
    assert!(config.discovery.enabled && !config.discovery.per_entity);
    assert_eq!(config.discovery.prefix, "homeassistant");
    assert_eq!(config.llm.len(), 1);
}

#[test]
fn broker_options_override_the_mqtt_service_and_tls_is_followed() {
    let mut options = config_yaml()["options"].clone();
    options["mqtt_url"] = json!("mqtt://192.168.1.5:1884");
    options["mqtt_username"] = json!("hive-bridge");
    options["discovery_per_entity"] = json!(true);
    let config = load(&run_script(&options, None).config);
    assert_eq!(config.mqtt.url, "mqtt://192.168.1.5:1884");
    assert_eq!(config.mqtt.username.as_deref(), Some("hive-bridge"));
    assert!(config.discovery.per_entity);
    assert!(config.llm.is_empty());

    let service = json!({"data": {"host": "broker.lan", "port": 8883, "ssl": true}});
    let run = run_script(&config_yaml()["options"], Some(&service));
    let text = std::fs::read_to_string(&run.config).unwrap();
    assert!(text.contains("url = \"mqtts://broker.lan:8883\""), "{text}");
}

#[test]
fn the_status_page_is_the_ingress_panel_and_listens_where_ingress_connects() {
    let config = config_yaml();
    assert_eq!(
        config["ingress"],
        json!(true),
        "the panel needs ingress: true"
    );
    let port = config["ingress_port"]
        .as_u64()
        .expect("ingress_port is a port number");
    assert!((1..=65535).contains(&port), "ingress_port {port}");
    let icon = config["panel_icon"].as_str().expect("a panel_icon");
    assert!(icon.starts_with("mdi:"), "panel_icon {icon}");
    assert!(
        config["panel_title"]
            .as_str()
            .is_some_and(|title| !title.trim().is_empty()),
        "a panel_title"
    );
    // Ingress is proxied by the Supervisor; opening the port on the host too would bypass
    // Home Assistant's login.
    assert!(
        config.get("ports").is_none(),
        "no host port for the status page"
    );

    // run.sh, run as the add-on runs it (no INGRESS_PORT), makes the page listen on the
    // port config.yaml names, on every interface: the Supervisor is another host on the
    // add-on network.
    let mut command_options = config["options"].clone();
    command_options["mqtt_url"] = json!("mqtt://core-mosquitto:1883");
    let run = run_script(&command_options, None);
    let bridge = load(&run.config);
    assert!(bridge.http.enabled);
    assert_eq!(
        bridge.http.listen,
        std::net::SocketAddr::from(([0, 0, 0, 0], u16::try_from(port).unwrap()))
    );
    let docs = std::fs::read_to_string(Path::new(ADDON).join("DOCS.md")).unwrap();
    assert!(
        docs.contains("sidebar") && docs.contains("ingress"),
        "DOCS.md names the panel"
    );
}
