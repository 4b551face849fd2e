#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| paykit_props::bog_payments_words(data));
