//! What a customer search may ask for, whatever the backend: a page of 1 to
//! [`MAX_PAGE_SIZE`] customers within the first [`RESULT_WINDOW`] matches. Counts stop at the
//! window too (`totalIsLowerBound`), so a deeper page is never offered; refusing it keeps every
//! search as cheap as a first page (a page at offset 999,900 walked a million rows).

use super::{DomainError, DomainResult};

/// Largest page a search may ask for.
pub const MAX_PAGE_SIZE: u32 = 100;

/// Only the first this many matches of a search can be paged through.
pub const RESULT_WINDOW: u32 = 1_000;

/// Checks `pageSize` and that the page lies within the [`RESULT_WINDOW`].
pub fn check_page(current_page: u32, page_size: u32) -> DomainResult<()> {
    if page_size == 0 || page_size > MAX_PAGE_SIZE {
        return Err(DomainError::invalid(
            "pageSize",
            format!("pageSize must be between 1 and {MAX_PAGE_SIZE}."),
        ));
    }
    let end = u64::from(current_page) * u64::from(page_size) + u64::from(page_size);
    if end > u64::from(RESULT_WINDOW) {
        return Err(DomainError::invalid(
            "currentPage",
            format!(
                "Only the first {RESULT_WINDOW} results can be paged through; narrow the search."
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_inside_the_window_pass_and_deeper_ones_do_not() {
        assert!(check_page(0, 20).is_ok());
        assert!(check_page(49, 20).is_ok());
        assert!(check_page(9, 100).is_ok());
        assert!(check_page(50, 20).is_err());
        assert!(check_page(10, 100).is_err());
        assert!(check_page(u32::MAX, 100).is_err());
        assert!(check_page(0, 0).is_err());
        assert!(check_page(0, 101).is_err());
    }
}
