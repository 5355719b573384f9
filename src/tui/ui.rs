//! Shared drawing helpers of the console, the ground every room stands on: the theme, text
//! cutting and the layout helpers. Nothing here knows a screen.

pub mod layout;
pub mod text;
pub mod theme;
