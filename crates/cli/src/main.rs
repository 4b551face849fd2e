//! The paykit command line (in progress).
fn main() {}
