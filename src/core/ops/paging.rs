//! `PageNumber` / `PageSize` paging of list operations.

use serde::Serialize;

use crate::core::error::KmsError;

/// A requested page: number ≥ 1, size 1–100 (default 1 and 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub number: usize,
    pub size: usize,
}

impl Default for Page {
    fn default() -> Self {
        Self {
            number: 1,
            size: 10,
        }
    }
}

impl Page {
    /// Checks the numbers; errors name the parameter.
    pub fn new(number: usize, size: usize) -> Result<Self, KmsError> {
        if number < 1 {
            return Err(KmsError::invalid("PageNumber", "It must be 1 or more."));
        }
        if !(1..=100).contains(&size) {
            return Err(KmsError::invalid("PageSize", "It must be from 1 to 100."));
        }
        Ok(Self { number, size })
    }

    /// The items of this page, and the paging fields of the response.
    pub fn slice<T: Clone>(self, items: &[T]) -> (Vec<T>, PageInfo) {
        let start = (self.number - 1).saturating_mul(self.size);
        let page = items.iter().skip(start).take(self.size).cloned().collect();
        (
            page,
            PageInfo {
                total_count: items.len(),
                page_number: self.number,
                page_size: self.size,
            },
        )
    }
}

/// `TotalCount`, `PageNumber`, `PageSize` of a list response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PageInfo {
    pub total_count: usize,
    pub page_number: usize,
    pub page_size: usize,
}
