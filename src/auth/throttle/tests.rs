//! The throttle's rules, on a fake clock.

use super::*;

fn policy(max_failures: u32) -> Policy {
    Policy {
        max_failures,
        window: Duration::from_secs(900),
        max_delay: Duration::from_secs(900),
    }
}

fn throttle(per_name: u32, per_address: u32) -> Arc<LoginThrottle> {
    Arc::new(LoginThrottle::new(policy(per_name), policy(per_address)))
}

/// One failed attempt at `now`.
fn fail(t: &Arc<LoginThrottle>, name: &str, address: Option<&str>, now: Instant) {
    let mut attempt = t.begin(name, address, now).expect("admitted");
    t.usernames.settle(&attempt.username, Settled::Failed, now);
    if let Some(a) = &attempt.address {
        t.addresses.settle(a, Settled::Failed, now);
    }
    attempt.settled = true;
}

/// Whether an attempt would be admitted now (it is then withdrawn, uncounted).
fn probe(
    t: &Arc<LoginThrottle>,
    name: &str,
    address: Option<&str>,
    now: Instant,
) -> Result<(), Duration> {
    t.begin(name, address, now).map(Attempt::not_attempted)
}

#[test]
fn delays_double_from_one_second_up_to_the_cap() {
    let p = policy(5);
    let delays: Vec<u64> = (1..=17).map(|n| p.delay_after(n).as_secs()).collect();
    assert_eq!(
        delays,
        [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]
    );
    assert_eq!(p.delay_after(u32::MAX), Duration::from_secs(900));
}

#[test]
fn five_failures_then_backoff_per_username() {
    let t = throttle(5, 20);
    let t0 = Instant::now();
    for _ in 0..5 {
        fail(&t, "lan", None, t0);
    }
    assert_eq!(
        probe(&t, "lan", None, t0).unwrap_err(),
        Duration::from_secs(1)
    );
    assert_eq!(
        probe(&t, " LAN ", None, t0).unwrap_err(),
        Duration::from_secs(1),
        "one key whatever the case and spaces"
    );
    assert!(
        probe(&t, "minh", None, t0).is_ok(),
        "other users are not affected"
    );
    let t1 = t0 + Duration::from_secs(1);
    fail(&t, "lan", None, t1);
    assert_eq!(
        probe(&t, "lan", None, t1).unwrap_err(),
        Duration::from_secs(2)
    );
    let t2 = t1 + Duration::from_millis(500);
    assert_eq!(
        probe(&t, "lan", None, t2).unwrap_err(),
        Duration::from_millis(1500),
        "refused attempts do not extend the block"
    );
    let t3 = t1 + Duration::from_secs(2);
    fail(&t, "lan", None, t3);
    assert_eq!(
        probe(&t, "lan", None, t3).unwrap_err(),
        Duration::from_secs(4)
    );
}

#[test]
fn pending_attempts_count_against_the_limit() {
    let t = throttle(3, 100);
    let t0 = Instant::now();
    let a = t.begin("lan", None, t0).unwrap();
    let b = t.begin("lan", None, t0).unwrap();
    let c = t.begin("lan", None, t0).unwrap();
    assert_eq!(probe(&t, "lan", None, t0).unwrap_err(), BUSY_WAIT);
    b.not_attempted();
    a.failed();
    let d = t.begin("lan", None, t0).expect("b's slot is free again");
    d.failed();
    // Dropped unsettled (the client went away): a failure, the third.
    drop(c);
    let wait = probe(&t, "lan", None, Instant::now()).unwrap_err();
    assert!(wait > Duration::from_millis(900), "{wait:?}");
}

#[test]
fn in_backoff_one_attempt_at_a_time() {
    let t = throttle(2, 100);
    let t0 = Instant::now();
    fail(&t, "lan", None, t0);
    fail(&t, "lan", None, t0);
    let t1 = t0 + Duration::from_secs(1);
    let first = t.begin("lan", None, t1).unwrap();
    assert_eq!(probe(&t, "lan", None, t1).unwrap_err(), BUSY_WAIT);
    first.succeeded();
    assert!(
        probe(&t, "lan", None, t1).is_ok(),
        "a success cleared the name"
    );
}

#[test]
fn success_clears_the_username_not_the_address() {
    let t = throttle(3, 3);
    let t0 = Instant::now();
    fail(&t, "lan", Some("addr"), t0);
    fail(&t, "lan", Some("addr"), t0);
    t.begin("lan", Some("addr"), t0).unwrap().succeeded();
    // The name starts afresh, the address keeps its two failures.
    fail(&t, "lan", None, t0);
    fail(&t, "lan", None, t0);
    assert!(probe(&t, "lan", None, t0).is_ok());
    fail(&t, "minh", Some("addr"), t0);
    assert_eq!(
        probe(&t, "other", Some("addr"), t0).unwrap_err(),
        Duration::from_secs(1),
        "the address reached 3 failures"
    );
}

#[test]
fn per_address_limit_spans_usernames() {
    let t = throttle(5, 3);
    let t0 = Instant::now();
    for name in ["a1", "a2", "a3"] {
        fail(&t, name, Some("h"), t0);
    }
    assert_eq!(
        probe(&t, "a4", Some("h"), t0).unwrap_err(),
        Duration::from_secs(1)
    );
    assert!(probe(&t, "a4", Some("other"), t0).is_ok());
    assert!(probe(&t, "a5", None, t0).is_ok());
}

#[test]
fn keys_are_forgotten_after_a_quiet_window() {
    let t = throttle(2, 2);
    let t0 = Instant::now();
    fail(&t, "lan", None, t0);
    fail(&t, "lan", None, t0);
    assert!(probe(&t, "lan", None, t0).is_err());
    let later = t0 + Duration::from_secs(1) + Duration::from_secs(900);
    fail(&t, "lan", None, later);
    assert!(
        probe(&t, "lan", None, later).is_ok(),
        "the count started again: one failure is free"
    );
}

#[test]
fn waits_in_words() {
    assert_eq!(retry_after_seconds(Duration::from_millis(1)), 1);
    assert_eq!(retry_after_seconds(Duration::from_millis(1500)), 2);
    assert_eq!(retry_after_seconds(Duration::from_secs(4)), 4);
    assert_eq!(wait_in_words(1), "1 giây");
    assert_eq!(wait_in_words(120), "2 phút");
    assert_eq!(wait_in_words(150), "2 phút 30 giây");
}

#[test]
fn a_device_cookie_stands_in_for_a_blocked_address_until_it_fails_itself() {
    let t = throttle(3, 3);
    let t0 = Instant::now();
    for name in ["x1", "x2", "x3"] {
        fail(&t, name, Some("office"), t0);
    }
    assert!(
        probe(&t, "lan", Some("office"), t0).is_err(),
        "the address is blocked"
    );
    let with = |now| t.begin_with_device("lan", Some("office"), Some("dev"), now);
    with(t0).expect("the device is trusted").not_attempted();
    // Failures with the device count against it and the name, not the address.
    for _ in 0..2 {
        with(t0).unwrap().failed();
    }
    t.begin_with_device("minh", Some("office"), Some("dev2"), t0)
        .unwrap()
        .succeeded();
    with(t0).unwrap().failed();
    // Third failure: the name (3) and the device (3) are blocked; the device is no help now.
    assert!(with(t0).is_err());
    assert!(
        t.begin_with_device("other", Some("office"), Some("dev"), t0)
            .is_err(),
        "a blocked device counts as none: the address applies again"
    );
    assert!(t
        .begin_with_device("other", Some("office"), Some("dev3"), t0)
        .map(Attempt::not_attempted)
        .is_ok());
}
