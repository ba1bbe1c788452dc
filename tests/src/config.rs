//! What a test broker runs with: the builder's options, the generated `mosquitto.conf`,
//! the rewrite of the project's own `mosquitto/mosquitto.conf`, and the password file.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Broker, HarnessError};

/// The project's production configuration (`mosquitto.conf`, `acl`), next to this crate.
const PROJECT_CONFIG_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../mosquitto");

/// Options for a test broker; start it with [`BrokerBuilder::start`].
///
/// ```no_run
/// # fn main() -> Result<(), hive_tests::HarnessError> {
/// use hive_tests::Broker;
///
/// // A throw-away anonymous broker that keeps retained messages across `restart()`.
/// let broker = Broker::builder().persistence(true).start()?;
///
/// // The project's users and ACL, with test passwords.
/// let secured = Broker::builder()
///     .project_config()
///     .user("hive-bridge", "bridge-secret")
///     .user("kitchen", "kitchen-secret")
///     .start()?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct BrokerBuilder {
    /// `None`: off for a generated config, as configured for the project's.
    pub(crate) persistence: Option<bool>,
    /// Raw lines appended to the configuration.
    pub(crate) extra_config: Vec<String>,
    /// Users for the password file, as (username, plain-text password).
    pub(crate) users: Vec<(String, String)>,
    /// Run the project's configuration instead of a generated one.
    pub(crate) project_config: bool,
}

impl BrokerBuilder {
    /// Turns persistence on or off. With it on, [`Broker::restart`] keeps retained
    /// messages and persistent sessions (the broker saves them when it stops).
    #[must_use]
    pub fn persistence(mut self, on: bool) -> Self {
        self.persistence = Some(on);
        self
    }

    /// Appends raw lines to the configuration, e.g. `"max_inflight_messages 1"`.
    #[must_use]
    pub fn extra_config(mut self, lines: impl Into<String>) -> Self {
        self.extra_config.push(lines.into());
        self
    }

    /// Adds a user to the broker's password file. With the generated configuration,
    /// anonymous clients stay allowed and a known username must give its password.
    #[must_use]
    pub fn user(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.users.push((username.into(), password.into()));
        self
    }

    /// Runs the project's `mosquitto/mosquitto.conf` and its ACL file as they are, with
    /// only what a test must change rewritten: the listener (127.0.0.1 and a free port),
    /// the password file (generated from [`user`](Self::user)), the persistence and log
    /// locations (the broker's temporary directory), the log level (everything) and the
    /// process user. The ACL file is the project's own file, not a copy.
    #[must_use]
    pub fn project_config(mut self) -> Self {
        self.project_config = true;
        self
    }

    /// Starts the broker and waits until it answers MQTT.
    ///
    /// # Errors
    ///
    /// See [`Broker::start`].
    pub fn start(self) -> Result<Broker, HarnessError> {
        Broker::launch(self)
    }
}

/// The files of one test broker, all inside its temporary directory.
#[derive(Debug, Clone)]
pub(crate) struct Paths {
    /// The temporary directory; also the persistence location.
    pub(crate) dir: PathBuf,
    /// The configuration Mosquitto runs.
    pub(crate) config: PathBuf,
    /// Mosquitto's log (`log_dest file`).
    pub(crate) log: PathBuf,
    /// Mosquitto's stdout and stderr: errors before the log file is open, warnings.
    pub(crate) console: PathBuf,
    /// The generated password file.
    pub(crate) passwd: PathBuf,
}

impl Paths {
    pub(crate) fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            config: dir.join("mosquitto.conf"),
            log: dir.join("mosquitto.log"),
            console: dir.join("console.log"),
            passwd: dir.join("passwd"),
        }
    }
}

/// Renders the configuration for `port`: generated, or the project's rewritten.
pub(crate) fn render(
    options: &BrokerBuilder,
    port: u16,
    paths: &Paths,
) -> Result<String, HarnessError> {
    if options.project_config {
        let project_dir = Path::new(PROJECT_CONFIG_DIR);
        let conf_path = project_dir.join("mosquitto.conf");
        let text = fs::read_to_string(&conf_path)
            .map_err(|e| HarnessError::io(format!("reading {}", conf_path.display()), e))?;
        rewrite_project(&text, project_dir, options, port, paths)
    } else {
        Ok(generated(options, port, paths))
    }
}

/// Whether the broker needs a password file (the project's config always names one).
pub(crate) fn needs_password_file(options: &BrokerBuilder) -> bool {
    options.project_config || !options.users.is_empty()
}

/// A configuration for one test: anonymous access, everything logged.
fn generated(options: &BrokerBuilder, port: u16, paths: &Paths) -> String {
    let mut conf = String::from("# Generated by hive-tests for one test.\n");
    conf.push_str("per_listener_settings false\nallow_anonymous true\n");
    conf.push_str(&listener_line(port));
    let persistence = options.persistence.unwrap_or(false);
    let _ = writeln!(conf, "persistence {persistence}");
    if !options.users.is_empty() {
        let _ = writeln!(conf, "password_file {}", paths.passwd.display());
    }
    // No `max_packet_size`: unlimited (MQTT's own 256 MiB), so TTS audio always fits.
    conf.push_str(&harness_lines(paths));
    for extra in &options.extra_config {
        let _ = writeln!(conf, "{extra}");
    }
    conf
}

/// The project's configuration with the test-specific options rewritten.
///
/// Rewritten lines stay in the file, commented out with a `# hive-tests:` prefix, so that
/// the running configuration explains itself when a test fails.
fn rewrite_project(
    text: &str,
    project_dir: &Path,
    options: &BrokerBuilder,
    port: u16,
    paths: &Paths,
) -> Result<String, HarnessError> {
    let mut conf =
        String::from("# The project's mosquitto/mosquitto.conf, rewritten by hive-tests.\n");
    let mut has_listener = false;
    for (index, line) in text.lines().enumerate() {
        let refuse = |reason: &str| HarnessError::ProjectConfig {
            line: index + 1,
            reason: reason.to_owned(),
        };
        let trimmed = line.trim();
        let key = trimmed.split_whitespace().next().unwrap_or("");
        if key.is_empty() || key.starts_with('#') {
            conf.push_str(line);
            conf.push('\n');
            continue;
        }
        let replacement = match key {
            "listener" if has_listener => {
                return Err(refuse("a second listener would need a second fixed port"));
            }
            "listener" => {
                has_listener = true;
                Some(listener_line(port))
            }
            "port" | "bind_address" | "bind_interface" => {
                return Err(refuse("declare listeners with `listener`"));
            }
            "include_dir" | "plugin" | "auth_plugin" => {
                return Err(refuse(
                    "the harness only runs self-contained configurations",
                ));
            }
            "cafile" | "capath" | "certfile" | "keyfile" | "crlfile" | "dhparamfile"
            | "psk_file" => {
                return Err(refuse(
                    "TLS needs a listener and certificates the harness does not create",
                ));
            }
            "acl_file" => Some(format!(
                "acl_file {}\n",
                project_file(trimmed, project_dir, index)?.display()
            )),
            "password_file" => Some(format!("password_file {}\n", paths.passwd.display())),
            "persistence" if options.persistence.is_some() => Some(String::new()),
            // Set once by `harness_lines`.
            "persistence_location"
            | "log_dest"
            | "log_type"
            | "connection_messages"
            | "pid_file"
            | "user" => Some(String::new()),
            _ => None,
        };
        match replacement {
            Some(new) => {
                let _ = writeln!(conf, "# hive-tests: {trimmed}");
                conf.push_str(&new);
            }
            None => {
                conf.push_str(line);
                conf.push('\n');
            }
        }
    }

    conf.push_str("\n# Added by hive-tests.\n");
    if !has_listener {
        conf.push_str(&listener_line(port));
    }
    if let Some(persistence) = options.persistence {
        let _ = writeln!(conf, "persistence {persistence}");
    }
    conf.push_str(&harness_lines(paths));
    for extra in &options.extra_config {
        let _ = writeln!(conf, "{extra}");
    }
    Ok(conf)
}

/// The file of the project directory named like the path in a `key /etc/.../name` line:
/// the installed `/etc/mosquitto/acl` is the repository's `mosquitto/acl`.
fn project_file(line: &str, project_dir: &Path, index: usize) -> Result<PathBuf, HarnessError> {
    let value = line.split_whitespace().nth(1).unwrap_or("");
    let name = Path::new(value)
        .file_name()
        .ok_or_else(|| HarnessError::ProjectConfig {
            line: index + 1,
            reason: "the option names no file".to_owned(),
        })?;
    let path = project_dir.join(name);
    fs::canonicalize(&path).map_err(|e| HarnessError::ProjectConfig {
        line: index + 1,
        reason: format!("{} must exist in the repository: {e}", path.display()),
    })
}

/// The only listener: loopback, so tests never expose a broker to the network.
fn listener_line(port: u16) -> String {
    format!("listener {port} 127.0.0.1\n")
}

/// Options the harness owns in every configuration.
fn harness_lines(paths: &Paths) -> String {
    let mut lines = String::new();
    // Mosquitto appends the database file name to this, so it needs the trailing slash.
    let _ = writeln!(lines, "persistence_location {}/", paths.dir.display());
    let _ = writeln!(lines, "log_dest file {}", paths.log.display());
    // Everything, including each packet: ACL denials are only logged at debug level. The
    // readiness check also relies on the "New connection" lines (connection messages).
    lines.push_str("log_type all\nconnection_messages true\n");
    // Started as root, Mosquitto would switch to the `mosquitto` user, which cannot write
    // the temporary directory; `root` means "stay who you are" (ignored when not root).
    lines.push_str("user root\n");
    lines
}

/// Writes the password file for `users` with `mosquitto_passwd -U`, which hashes a file
/// of `username:password` lines in place.
pub(crate) fn write_password_file(
    path: &Path,
    users: &[(String, String)],
) -> Result<(), HarnessError> {
    let mut plain = String::new();
    for (username, password) in users {
        if username.is_empty() || username.contains([':', '\n']) || password.contains('\n') {
            return Err(HarnessError::InvalidUser {
                username: username.clone(),
            });
        }
        let _ = writeln!(plain, "{username}:{password}");
    }
    fs::write(path, plain)
        .map_err(|e| HarnessError::io(format!("writing {}", path.display()), e))?;
    if users.is_empty() {
        return Ok(());
    }

    let program = program("mosquitto_passwd");
    let output = Command::new(&program)
        .arg("-U")
        .arg(path)
        .output()
        .map_err(|source| HarnessError::Spawn { program, source })?;
    if output.status.success() {
        Ok(())
    } else {
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        Err(HarnessError::Passwd {
            status: output.status,
            output: text,
        })
    }
}

/// Where Debian installs a Mosquitto program; the bare name (a `PATH` lookup) elsewhere.
/// `/usr/sbin` is often missing from a normal user's `PATH`.
pub(crate) fn program(name: &str) -> PathBuf {
    ["/usr/sbin", "/usr/bin"]
        .iter()
        .map(|dir| Path::new(dir).join(name))
        .find(|path| path.is_file())
        .unwrap_or_else(|| PathBuf::from(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths() -> Paths {
        Paths::new(Path::new("/tmp/broker"))
    }

    #[test]
    fn generated_config_listens_on_loopback_and_allows_anonymous() {
        let conf = generated(&BrokerBuilder::default(), 4242, &paths());
        assert!(conf.contains("listener 4242 127.0.0.1\n"));
        assert!(conf.contains("allow_anonymous true\n"));
        assert!(conf.contains("persistence false\n"));
        assert!(conf.contains("persistence_location /tmp/broker/\n"));
        assert!(conf.contains("log_dest file /tmp/broker/mosquitto.log\n"));
        assert!(!conf.contains("password_file"));
    }

    #[test]
    fn generated_config_adds_password_file_persistence_and_extra_lines() {
        let options = BrokerBuilder::default()
            .persistence(true)
            .user("a", "b")
            .extra_config("max_keepalive 30");
        let conf = generated(&options, 1, &paths());
        assert!(conf.contains("persistence true\n"));
        assert!(conf.contains("password_file /tmp/broker/passwd\n"));
        assert!(conf.ends_with("max_keepalive 30\n"));
    }

    #[test]
    fn project_config_rewrites_paths_listener_and_logs_only() {
        let project = "\
# comment\n\
allow_anonymous false\n\
password_file /etc/mosquitto/passwd\n\
acl_file /etc/mosquitto/acl\n\
listener 1883\n\
#listener 8883\n\
max_packet_size 5242880\n\
persistence true\n\
persistence_location /var/lib/mosquitto/\n\
pid_file /run/mosquitto/mosquitto.pid\n\
log_dest file /var/log/mosquitto/mosquitto.log\n\
log_type error\n";
        let options = BrokerBuilder::default().project_config();
        let conf = rewrite_project(
            project,
            Path::new(PROJECT_CONFIG_DIR),
            &options,
            4242,
            &paths(),
        )
        .unwrap();
        let active: Vec<&str> = conf
            .lines()
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect();
        let acl = fs::canonicalize(Path::new(PROJECT_CONFIG_DIR).join("acl")).unwrap();
        assert_eq!(
            active,
            [
                "allow_anonymous false",
                "password_file /tmp/broker/passwd",
                &format!("acl_file {}", acl.display()),
                "listener 4242 127.0.0.1",
                "max_packet_size 5242880",
                "persistence true",
                "persistence_location /tmp/broker/",
                "log_dest file /tmp/broker/mosquitto.log",
                "log_type all",
                "connection_messages true",
                "user root",
            ]
        );
        assert!(conf.contains("# hive-tests: pid_file /run/mosquitto/mosquitto.pid\n"));
    }

    #[test]
    fn project_config_with_a_second_listener_or_tls_files_is_refused() {
        let options = BrokerBuilder::default().project_config();
        for (text, line) in [
            ("listener 1883\nlistener 8883\n", 2),
            ("listener 1883\ncafile /etc/mosquitto/certs/ca.crt\n", 2),
            ("include_dir /etc/mosquitto/conf.d\n", 1),
        ] {
            let error =
                rewrite_project(text, Path::new("/nowhere"), &options, 1, &paths()).unwrap_err();
            assert!(
                matches!(error, HarnessError::ProjectConfig { line: l, .. } if l == line),
                "{text:?}: {error}"
            );
        }
    }

    #[test]
    fn the_project_config_in_the_repository_is_accepted() {
        let options = BrokerBuilder::default().project_config();
        let conf = render(&options, 4242, &paths()).unwrap();
        assert!(conf.contains("listener 4242 127.0.0.1\n"));
        assert!(conf.contains("allow_anonymous false\n"));
    }
}
