//! What identity does, independent of HTTP.

pub mod accounts;
mod office;

pub use accounts::{AccountError, Client, Identity, IdentitySettings, TokenPair};
pub use office::OfficeInput;
