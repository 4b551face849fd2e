//! paykit adapter for miapos (in progress).
