//! Shared drawing helpers of the console: the theme.

pub mod theme;
