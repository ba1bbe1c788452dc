//! The calendar skill: reads the configured ICS address or file plus the local reminders, and
//! answers what is planned; adds reminders to the local file.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use chrono::{DateTime, Days, NaiveTime, TimeZone, Utc};
use serde_json::json;

use crate::calendar::config::CalendarConfig;
use crate::calendar::ics::{Event, escape, parse};
use crate::calendar::occurrence::occurrences;
use crate::calendar::speech::{
    Day, dated_item, day_list, item, next_event, nothing_next, reminder_added, reminder_in,
    upcoming_list,
};
use crate::error::SkillError;
use crate::http::HttpClient;
use crate::skill::{EnvSource, IntentMatch, Manifest, Skill, SkillContext, SkillReply};

/// The manifest, shipped next to this file.
const MANIFEST: &str = include_str!("skill.toml");

/// Events said for "what's on my calendar this week": a spoken list longer than this is not
/// followed; the rest is counted.
const MAX_UPCOMING_SAID: usize = 5;

/// The furthest "remind me in …" reaches: a week, as far as the bridge rings timers.
const MAX_REMINDER_DELAY_S: u64 = 7 * 24 * 60 * 60;

/// Largest reminders file read or written: thousands of reminders, not a runaway file.
const MAX_REMINDERS_BYTES: u64 = 4 * 1024 * 1024;

/// The downloaded calendar and when it was fetched.
#[derive(Debug, Default)]
struct Downloaded {
    events: Vec<Event>,
    at: Option<DateTime<Utc>>,
}

/// Today's and upcoming events, and reminders.
#[derive(Debug)]
pub struct CalendarSkill {
    manifest: Manifest,
    /// The ICS address and the client to fetch it.
    remote: Option<(HttpClient, String)>,
    file: Option<PathBuf>,
    reminders: PathBuf,
    ttl: chrono::Duration,
    upcoming_days: u32,
    downloaded: Mutex<Downloaded>,
    /// Serialises writes to the reminders file.
    writing: Mutex<()>,
    sequence: AtomicU32,
}

impl CalendarSkill {
    /// Builds the skill; reminders go to `config.reminders`, else `reminders.ics` in
    /// `data_dir`. Call from a blocking thread.
    ///
    /// # Errors
    /// An invalid configuration.
    pub fn new(
        config: &CalendarConfig,
        env: &dyn EnvSource,
        data_dir: &std::path::Path,
    ) -> Result<CalendarSkill, SkillError> {
        config.validate()?;
        let manifest = Manifest::from_toml(MANIFEST)?;
        let from_env = manifest.config_values(env)?;
        let url = Some(config.url.trim().to_owned())
            .filter(|url| !url.is_empty())
            .or_else(|| from_env.get("url").cloned().filter(|url| !url.is_empty()))
            // webcal:// is https:// by another name.
            .map(|url| match url.strip_prefix("webcal://") {
                Some(rest) => format!("https://{rest}"),
                None => url,
            });
        let remote = match url {
            Some(url) => {
                let http = HttpClient::new("the calendar", Duration::from_secs(config.timeout_s))
                    .map_err(|error| SkillError::Failed {
                    skill: "calendar".into(),
                    reason: error.to_string(),
                })?;
                Some((http, url))
            }
            None => None,
        };
        Ok(CalendarSkill {
            manifest,
            remote,
            file: config.file.clone(),
            reminders: config
                .reminders
                .clone()
                .unwrap_or_else(|| data_dir.join("reminders.ics")),
            ttl: chrono::Duration::seconds(
                i64::try_from(config.cache_s).unwrap_or(i64::MAX / 1000),
            ),
            upcoming_days: config.upcoming_days,
            downloaded: Mutex::new(Downloaded::default()),
            writing: Mutex::new(()),
            sequence: AtomicU32::new(0),
        })
    }

    /// Every event: the address (cached; a stale copy when it fails), the file, the reminders.
    fn events(&self, now: DateTime<Utc>) -> Result<Vec<Event>, SkillError> {
        let failed = |reason: String| SkillError::Failed {
            skill: "calendar".into(),
            reason,
        };
        let mut events = Vec::new();
        if let Some((http, url)) = &self.remote {
            let mut downloaded = self.downloaded.lock().unwrap_or_else(|e| e.into_inner());
            let fresh = downloaded
                .at
                .is_some_and(|at| now >= at && now - at < self.ttl);
            if !fresh {
                match http.get_text(url, None) {
                    Ok(text) => {
                        *downloaded = Downloaded {
                            events: parse(&text),
                            at: Some(now),
                        }
                    }
                    Err(error) if downloaded.at.is_some() => {
                        tracing::warn!(%error, "Calendar not refreshed; using the last copy.");
                    }
                    Err(error) => return Err(failed(error.to_string())),
                }
            }
            events.extend(downloaded.events.iter().cloned());
        }
        if let Some(file) = &self.file {
            let text = std::fs::read_to_string(file)
                .map_err(|error| failed(format!("reading {}: {error}", file.display())))?;
            events.extend(parse(&text));
        }
        events.extend(parse(&self.read_reminders().map_err(failed)?));
        Ok(events)
    }

    fn read_reminders(&self) -> Result<String, String> {
        match std::fs::metadata(&self.reminders) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(String::new()),
            Err(error) => return Err(format!("reading {}: {error}", self.reminders.display())),
            Ok(meta) if meta.len() > MAX_REMINDERS_BYTES => {
                return Err(format!("{} is too large", self.reminders.display()));
            }
            Ok(_) => {}
        }
        std::fs::read_to_string(&self.reminders)
            .map_err(|error| format!("reading {}: {error}", self.reminders.display()))
    }

    /// Adds a reminder at `start`, written to a temporary file and renamed into place so a
    /// crash never leaves half a calendar.
    fn add_reminder(
        &self,
        text: &str,
        start: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        let _guard = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        let existing = self.read_reminders()?;
        let body = existing
            .trim_end()
            .strip_suffix("END:VCALENDAR")
            .map(str::to_owned)
            .filter(|body| body.contains("BEGIN:VCALENDAR"))
            .unwrap_or_else(|| {
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Hive//Reminders//EN\r\n".into()
            });
        let sequence = self.sequence.fetch_add(1, Ordering::Relaxed);
        let stamp = |time: DateTime<Utc>| time.format("%Y%m%dT%H%M%SZ").to_string();
        let event = format!(
            "BEGIN:VEVENT\r\nUID:{}-{sequence}@hive\r\nDTSTAMP:{}\r\nDTSTART:{}\r\nSUMMARY:{}\r\nEND:VEVENT\r\n",
            now.timestamp_millis(),
            stamp(now),
            stamp(start),
            escape(text),
        );
        let text = format!(
            "{}{event}END:VCALENDAR\r\n",
            body.trim_end().to_owned() + "\r\n"
        );
        if let Some(parent) = self.reminders.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|error| format!("creating {}: {error}", parent.display()))?;
        }
        let temporary = self.reminders.with_extension("ics.tmp");
        std::fs::write(&temporary, text)
            .and_then(|()| std::fs::rename(&temporary, &self.reminders))
            .map_err(|error| format!("writing {}: {error}", self.reminders.display()))
    }

    fn day(&self, day: Day, ctx: &SkillContext) -> Result<SkillReply, SkillError> {
        let zone = ctx.time_zone;
        let mut date = ctx.local_now().date_naive();
        if day == Day::Tomorrow {
            date = date.checked_add_days(Days::new(1)).unwrap_or(date);
        }
        let midnight = |date: chrono::NaiveDate| {
            zone.from_local_datetime(&date.and_time(NaiveTime::MIN))
                .earliest()
                .map(|time| time.with_timezone(&Utc))
        };
        let (Some(from), Some(to)) = (midnight(date), date.succ_opt().and_then(midnight)) else {
            return Ok(SkillReply::speech(day_list(day, &[], ctx.lang)));
        };
        let found = occurrences(&self.events(ctx.now)?, from, to, zone);
        let items: Vec<String> = found
            .iter()
            .map(|o| {
                let at = (!o.all_day).then(|| o.start.with_timezone(&zone));
                item(&o.summary, at, ctx.lang)
            })
            .collect();
        let data: Vec<_> = found
            .iter()
            .map(|o| json!({"summary": o.summary, "start": o.start.to_rfc3339(), "all_day": o.all_day}))
            .collect();
        Ok(SkillReply::speech(day_list(day, &items, ctx.lang)).with_data(json!({"events": data})))
    }

    fn next(&self, ctx: &SkillContext) -> Result<SkillReply, SkillError> {
        let zone = ctx.time_zone;
        let to = ctx.now + chrono::Duration::days(i64::from(self.upcoming_days));
        let found = occurrences(&self.events(ctx.now)?, ctx.now, to, zone);
        let Some(next) = found.iter().find(|o| o.start >= ctx.now) else {
            return Ok(SkillReply::speech(nothing_next(
                self.upcoming_days,
                ctx.lang,
            )));
        };
        let today = ctx.local_now().date_naive();
        let start = next.start.with_timezone(&zone);
        Ok(SkillReply::speech(next_event(
            &next.summary,
            start,
            next.all_day,
            today,
            ctx.lang,
        ))
        .with_data(json!({"summary": next.summary, "start": next.start.to_rfc3339()})))
    }

    /// The events starting in the next `upcoming_days`, the first few said with their day.
    fn upcoming(&self, ctx: &SkillContext) -> Result<SkillReply, SkillError> {
        let zone = ctx.time_zone;
        let to = ctx.now + chrono::Duration::days(i64::from(self.upcoming_days));
        let found: Vec<_> = occurrences(&self.events(ctx.now)?, ctx.now, to, zone)
            .into_iter()
            .filter(|o| o.start >= ctx.now)
            .collect();
        let today = ctx.local_now().date_naive();
        let items: Vec<String> = found
            .iter()
            .take(MAX_UPCOMING_SAID)
            .map(|o| {
                dated_item(
                    &o.summary,
                    o.start.with_timezone(&zone),
                    o.all_day,
                    today,
                    ctx.lang,
                )
            })
            .collect();
        let data: Vec<_> = found
            .iter()
            .map(|o| json!({"summary": o.summary, "start": o.start.to_rfc3339(), "all_day": o.all_day}))
            .collect();
        Ok(SkillReply::speech(upcoming_list(
            self.upcoming_days,
            &items,
            found.len(),
            ctx.lang,
        ))
        .with_data(json!({"events": data})))
    }

    fn remind(&self, intent: &IntentMatch, ctx: &SkillContext) -> Result<SkillReply, SkillError> {
        let missing = |slot: &str| SkillError::MissingSlot {
            intent: intent.intent.clone(),
            slot: slot.into(),
        };
        let text = intent.text("text").ok_or_else(|| missing("text"))?;
        if let Some(delay) = intent.duration_secs("delay") {
            return self.remind_in(text, delay, ctx);
        }
        let hour = intent.number("hour").ok_or_else(|| missing("hour"))? as u32;
        let minute = intent.number("minute").unwrap_or(0.0) as u32;
        let time = NaiveTime::from_hms_opt(hour, minute, 0).ok_or_else(|| missing("hour"))?;
        let local_now = ctx.local_now();
        let mut day = match intent.text("day") {
            Some("tomorrow") => Day::Tomorrow,
            _ => Day::Today,
        };
        // "at 9" said after nine, without a day, means tomorrow.
        if intent.text("day").is_none() && time <= local_now.time() {
            day = Day::Tomorrow;
        }
        let mut date = local_now.date_naive();
        if day == Day::Tomorrow {
            date = date.checked_add_days(Days::new(1)).unwrap_or(date);
        }
        let start = ctx
            .time_zone
            .from_local_datetime(&date.and_time(time))
            .earliest()
            .ok_or_else(|| missing("hour"))?;
        self.add_reminder(text, start.with_timezone(&Utc), ctx.now)
            .map_err(|reason| SkillError::Failed {
                skill: "calendar".into(),
                reason,
            })?;
        tracing::info!(at = %start.to_rfc3339(), "Reminder added to the calendar.");
        Ok(
            SkillReply::speech(reminder_added(text, day, start, ctx.lang))
                .with_data(json!({"summary": text, "start": start.to_rfc3339()})),
        )
    }
}

impl CalendarSkill {
    /// "Remind me in twenty minutes to take the cake out": `delay` seconds from now, to the
    /// second (a reminder is rung by the bridge, which keeps seconds).
    fn remind_in(
        &self,
        text: &str,
        delay: u64,
        ctx: &SkillContext,
    ) -> Result<SkillReply, SkillError> {
        let too_long = || SkillError::MissingSlot {
            intent: "calendar.remind".into(),
            slot: "delay".into(),
        };
        if delay == 0 || delay > MAX_REMINDER_DELAY_S {
            return Err(too_long());
        }
        let delay_ms = i64::try_from(delay.saturating_mul(1000)).map_err(|_| too_long())?;
        let start = ctx
            .now
            .checked_add_signed(chrono::Duration::milliseconds(delay_ms))
            .ok_or_else(too_long)?;
        self.add_reminder(text, start, ctx.now)
            .map_err(|reason| SkillError::Failed {
                skill: "calendar".into(),
                reason,
            })?;
        tracing::info!(at = %start.to_rfc3339(), "Reminder added to the calendar.");
        Ok(SkillReply::speech(reminder_in(text, delay, ctx.lang))
            .with_data(json!({"summary": text, "start": start.to_rfc3339()})))
    }
}

impl Skill for CalendarSkill {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn execute(&self, intent: &IntentMatch, ctx: &SkillContext) -> Result<SkillReply, SkillError> {
        match intent.intent.as_str() {
            "calendar.day" => {
                let day = match intent.text("day") {
                    Some("tomorrow") => Day::Tomorrow,
                    _ => Day::Today,
                };
                self.day(day, ctx)
            }
            "calendar.next" => self.next(ctx),
            "calendar.upcoming" => self.upcoming(ctx),
            "calendar.remind" => self.remind(intent, ctx),
            other => Err(SkillError::UnknownIntent {
                skill: self.manifest.name.clone(),
                intent: other.to_owned(),
            }),
        }
    }
}
