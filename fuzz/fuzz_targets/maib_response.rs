#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| paykit_props::maib_response(data));
