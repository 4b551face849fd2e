//! paykit adapter for bog (in progress).
