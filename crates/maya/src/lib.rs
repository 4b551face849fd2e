//! paykit adapter for maya (in progress).
