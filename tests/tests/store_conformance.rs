//! One conformance suite for every backend of the bridge's shared state (the conversation
//! and the timer book): the embedded sled store and Redis (a real `redis-server` from the
//! harness) must behave alike, so that a household can move from one bridge to several
//! without the conversation changing meaning.

use std::sync::Arc;

use hive_bridge::context::{
    ContextEntry, ContextStore, RedisStore, SledStore, Speaker, TimerRecordStore,
};
use hive_tests::RedisServer;

/// The two faces of one backend's state.
#[derive(Clone)]
struct Handles {
    conversation: Arc<dyn ContextStore>,
    timers: Arc<dyn TimerRecordStore>,
}

/// A fresh, empty state, and a way to open it again as another bridge would.
struct Opened {
    handles: Handles,
    again: Box<dyn Fn() -> Handles>,
    /// Keeps a sled folder alive for the case.
    _dir: Option<tempfile::TempDir>,
}

fn entry(at_ms: u64, text: &str) -> ContextEntry {
    ContextEntry {
        at_ms,
        speaker: Speaker::User,
        text: text.into(),
        satellite: Some("kitchen".into()),
        intent: None,
        lang: Some("en".into()),
    }
}

fn texts(entries: Vec<ContextEntry>) -> Vec<String> {
    entries.into_iter().map(|entry| entry.text).collect()
}

/// A named case of the suite.
type Case = (&'static str, fn(&Opened));

/// Runs every case on a fresh state from `fresh`; a failure names the case.
fn conformance(backend: &str, fresh: &dyn Fn() -> Opened) {
    let cases: [Case; 11] = [
        (
            "an_empty_store_has_no_messages",
            an_empty_store_has_no_messages,
        ),
        (
            "recent_returns_the_last_messages_oldest_first",
            recent_returns_the_last_messages_oldest_first,
        ),
        (
            "messages_of_one_millisecond_keep_their_order",
            messages_of_one_millisecond_keep_their_order,
        ),
        ("every_field_survives", every_field_survives),
        ("prune_drops_only_the_older", prune_drops_only_the_older),
        (
            "another_bridge_sees_the_conversation",
            another_bridge_sees_the_conversation,
        ),
        (
            "writers_in_parallel_lose_nothing",
            writers_in_parallel_lose_nothing,
        ),
        (
            "the_timer_record_is_absent_until_saved",
            the_timer_record_is_absent_until_saved,
        ),
        (
            "the_timer_record_is_replaced_and_shared",
            the_timer_record_is_replaced_and_shared,
        ),
        (
            "a_timer_swap_over_a_stale_record_is_refused",
            a_timer_swap_over_a_stale_record_is_refused,
        ),
        (
            "bridges_swapping_the_timer_record_in_parallel_lose_no_change",
            bridges_swapping_the_timer_record_in_parallel_lose_no_change,
        ),
    ];
    for (name, case) in cases {
        let opened = fresh();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| case(&opened)));
        if let Err(panic) = outcome {
            let detail = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("{backend}: conformance case {name} failed: {detail}");
        }
    }
}

fn an_empty_store_has_no_messages(opened: &Opened) {
    let store = &opened.handles.conversation;
    assert!(store.recent(10, 0).unwrap().is_empty());
    assert_eq!(store.prune(u64::MAX).unwrap(), 0);
}

fn recent_returns_the_last_messages_oldest_first(opened: &Opened) {
    let store = &opened.handles.conversation;
    for (at, text) in [(30, "d"), (10, "a"), (20, "b"), (40, "e")] {
        store.append(&entry(at, text)).unwrap();
    }
    assert_eq!(texts(store.recent(3, 0).unwrap()), ["b", "d", "e"]);
    // `since` is inclusive.
    assert_eq!(texts(store.recent(10, 20).unwrap()), ["b", "d", "e"]);
    assert_eq!(texts(store.recent(10, 41).unwrap()), Vec::<String>::new());
    assert_eq!(texts(store.recent(0, 0).unwrap()), Vec::<String>::new());
    assert_eq!(texts(store.recent(1, 0).unwrap()), ["e"]);
}

fn messages_of_one_millisecond_keep_their_order(opened: &Opened) {
    let store = &opened.handles.conversation;
    // A question and its answer are often written in the same millisecond.
    let said = [
        "what time is it",
        "It is four.",
        "thanks",
        "You are welcome.",
    ];
    for text in said {
        store.append(&entry(1_000, text)).unwrap();
    }
    // Two identical messages are two messages.
    store.append(&entry(1_000, "thanks")).unwrap();
    assert_eq!(
        texts(store.recent(10, 0).unwrap()),
        [
            "what time is it",
            "It is four.",
            "thanks",
            "You are welcome.",
            "thanks"
        ]
    );
}

fn every_field_survives(opened: &Opened) {
    let store = &opened.handles.conversation;
    let answer = ContextEntry {
        at_ms: 1_767_225_600_123,
        speaker: Speaker::Assistant,
        text: "Il est 16 h 10 | ✓ \"quoted\"\nnew line".into(),
        satellite: None,
        intent: Some("clock.time".into()),
        lang: Some("fr".into()),
    };
    let question = ContextEntry {
        at_ms: 1_767_225_600_000,
        lang: None,
        ..entry(0, "quelle heure est-il")
    };
    store.append(&answer).unwrap();
    store.append(&question).unwrap();
    assert_eq!(store.recent(10, 0).unwrap(), [question, answer]);
}

fn prune_drops_only_the_older(opened: &Opened) {
    let store = &opened.handles.conversation;
    for at in [1, 2, 3, 50, 100] {
        store.append(&entry(at, &at.to_string())).unwrap();
    }
    // Strictly before: a message at the boundary stays.
    assert_eq!(store.prune(50).unwrap(), 3);
    assert_eq!(texts(store.recent(10, 0).unwrap()), ["50", "100"]);
    assert_eq!(store.prune(50).unwrap(), 0);
}

fn another_bridge_sees_the_conversation(opened: &Opened) {
    let other = (opened.again)();
    opened
        .handles
        .conversation
        .append(&entry(10, "from the first"))
        .unwrap();
    other
        .conversation
        .append(&entry(20, "from the second"))
        .unwrap();
    for store in [&opened.handles.conversation, &other.conversation] {
        assert_eq!(
            texts(store.recent(10, 0).unwrap()),
            ["from the first", "from the second"]
        );
    }
}

fn writers_in_parallel_lose_nothing(opened: &Opened) {
    const WRITERS: usize = 4;
    const EACH: usize = 25;
    let stores: Vec<Handles> = (0..WRITERS)
        .map(|index| {
            if index % 2 == 0 {
                opened.handles.clone()
            } else {
                (opened.again)()
            }
        })
        .collect();
    std::thread::scope(|scope| {
        for (writer, handles) in stores.iter().enumerate() {
            scope.spawn(move || {
                for n in 0..EACH {
                    handles
                        .conversation
                        .append(&entry(5_000, &format!("{writer}-{n}")))
                        .unwrap();
                }
            });
        }
    });
    let all = texts(opened.handles.conversation.recent(1_000, 0).unwrap());
    assert_eq!(all.len(), WRITERS * EACH);
    // Each writer's messages stay in the order it wrote them.
    for writer in 0..WRITERS {
        let mine: Vec<&String> = all
            .iter()
            .filter(|text| text.starts_with(&format!("{writer}-")))
            .collect();
        let expected: Vec<String> = (0..EACH).map(|n| format!("{writer}-{n}")).collect();
        assert_eq!(mine, expected.iter().collect::<Vec<_>>());
    }
}

fn the_timer_record_is_absent_until_saved(opened: &Opened) {
    assert_eq!(opened.handles.timers.load_timers().unwrap(), None);
}

fn the_timer_record_is_replaced_and_shared(opened: &Opened) {
    let timers = &opened.handles.timers;
    timers.save_timers(br#"{"timers":[1]}"#).unwrap();
    timers.save_timers(br#"{"timers":[1,2]}"#).unwrap();
    assert_eq!(
        timers.load_timers().unwrap().as_deref(),
        Some(&br#"{"timers":[1,2]}"#[..])
    );
    let other = (opened.again)();
    assert_eq!(
        other.timers.load_timers().unwrap().as_deref(),
        Some(&br#"{"timers":[1,2]}"#[..])
    );
    // The conversation and the timers do not mix.
    assert!(
        opened
            .handles
            .conversation
            .recent(10, 0)
            .unwrap()
            .is_empty()
    );
}

fn a_timer_swap_over_a_stale_record_is_refused(opened: &Opened) {
    let timers = &opened.handles.timers;
    let other = (opened.again)().timers;
    // Both read "absent"; the first to write wins, the second is refused.
    assert!(timers.swap_timers(None, b"pasta").unwrap());
    assert!(!other.swap_timers(None, b"tea").unwrap());
    assert!(!other.swap_timers(Some(b"tea"), b"tea").unwrap());
    assert_eq!(
        timers.load_timers().unwrap().as_deref(),
        Some(&b"pasta"[..])
    );
    // Made again over what is stored, the change goes through, seen by both.
    assert!(other.swap_timers(Some(b"pasta"), b"pasta,tea").unwrap());
    assert_eq!(
        timers.load_timers().unwrap().as_deref(),
        Some(&b"pasta,tea"[..])
    );
    // An empty record is a record, not an absent one.
    assert!(timers.swap_timers(Some(b"pasta,tea"), b"").unwrap());
    assert!(!timers.swap_timers(None, b"x").unwrap());
    assert!(timers.swap_timers(Some(b""), b"x").unwrap());
}

/// Four bridges each add 25 to a counter by read, change, swap, again on refusal: the
/// counter ends at 100, as if one bridge had done it all.
fn bridges_swapping_the_timer_record_in_parallel_lose_no_change(opened: &Opened) {
    const BRIDGES: usize = 4;
    const EACH: usize = 25;
    let bridges: Vec<Arc<dyn TimerRecordStore>> =
        (0..BRIDGES).map(|_| (opened.again)().timers).collect();
    std::thread::scope(|scope| {
        for timers in &bridges {
            scope.spawn(move || {
                for _ in 0..EACH {
                    loop {
                        let read = timers.load_timers().unwrap();
                        let count: usize = read.as_deref().map_or(0, |bytes| {
                            std::str::from_utf8(bytes).unwrap().parse().unwrap()
                        });
                        let next = (count + 1).to_string();
                        if timers
                            .swap_timers(read.as_deref(), next.as_bytes())
                            .unwrap()
                        {
                            break;
                        }
                    }
                }
            });
        }
    });
    let total = opened.handles.timers.load_timers().unwrap().unwrap();
    assert_eq!(total, (BRIDGES * EACH).to_string().into_bytes());
}

#[test]
fn sled_passes_the_store_conformance_suite() {
    conformance("sled", &|| {
        let dir = tempfile::tempdir().unwrap();
        // sled locks its folder: the bridges of one process share the one handle.
        let store = Arc::new(SledStore::open(dir.path()).unwrap());
        let handles = Handles {
            conversation: store.clone(),
            timers: store,
        };
        let again = handles.clone();
        Opened {
            handles,
            again: Box::new(move || again.clone()),
            _dir: Some(dir),
        }
    });
}

#[test]
fn redis_passes_the_store_conformance_suite() {
    let server = RedisServer::start().unwrap();
    let url = server.url();
    let case = std::sync::atomic::AtomicU32::new(0);
    conformance("redis", &|| {
        // A fresh prefix per case: a fresh, empty household on the one server.
        let prefix = format!(
            "case{}",
            case.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let open = {
            let url = url.clone();
            move || {
                let store = Arc::new(RedisStore::open(&url, &prefix).unwrap());
                Handles {
                    conversation: store.clone(),
                    timers: store,
                }
            }
        };
        Opened {
            handles: open(),
            again: Box::new(open),
            _dir: None,
        }
    });
    drop(server);
}

#[test]
fn redis_households_with_different_prefixes_stay_apart() {
    let server = RedisServer::start().unwrap();
    let home = RedisStore::open(&server.url(), "home").unwrap();
    let office = RedisStore::open(&server.url(), "office").unwrap();
    home.append(&entry(1, "at home")).unwrap();
    home.save_timers(b"[]").unwrap();
    assert!(office.recent(10, 0).unwrap().is_empty());
    assert_eq!(office.load_timers().unwrap(), None);
}

#[test]
fn a_redis_that_went_away_gives_errors_not_panics() {
    let server = RedisServer::start().unwrap();
    let store = RedisStore::open(&server.url(), "hive").unwrap();
    store.append(&entry(1, "before")).unwrap();
    drop(server);
    assert_eq!(
        store.append(&entry(2, "after")).unwrap_err().action,
        "append"
    );
    assert_eq!(store.recent(10, 0).unwrap_err().action, "read");
    assert_eq!(store.prune(10).unwrap_err().action, "prune");
    assert_eq!(store.load_timers().unwrap_err().action, "load");
    assert_eq!(store.save_timers(b"[]").unwrap_err().action, "save");
    assert_eq!(store.swap_timers(None, b"[]").unwrap_err().action, "save");
}

#[test]
fn the_bridge_refuses_a_redis_url_that_does_not_parse() {
    let error = RedisStore::open("http://not-redis", "hive").unwrap_err();
    assert_eq!(error.action, "open");
}
