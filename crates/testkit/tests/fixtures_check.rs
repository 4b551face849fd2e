//! `cargo xtask fixtures check`: every file under `fixtures/` follows the format.

use paykit_testkit::fixture::{audit, fixtures_root};

#[test]
fn fixtures_follow_the_format() {
    let root = fixtures_root().expect("the workspace's fixtures/ folder");
    let audit = audit(&root);
    for note in &audit.notes {
        println!("note: {note}");
    }
    assert!(
        audit.problems.is_empty(),
        "{} fixture problem(s):\n  - {}",
        audit.problems.len(),
        audit.problems.join("\n  - ")
    );
}
