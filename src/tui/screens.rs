//! The main screens of the console, one room each, and what stands before them (the gate).

pub mod audit;
pub mod drill;
pub mod endpoint;
pub mod gate;
pub mod key_details;
pub mod keys;
pub mod principals;
pub mod restore;
pub mod walkthrough;
