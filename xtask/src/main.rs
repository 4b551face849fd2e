//! paykit project automation (in progress).
fn main() {}
