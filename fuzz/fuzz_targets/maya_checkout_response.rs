#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| paykit_props::maya_checkout_response(data));
