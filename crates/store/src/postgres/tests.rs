//! Sorting PostgreSQL's error codes into faults and the rest.

use super::postgres_fault;

#[test]
fn faults_of_the_moment_are_recognised() {
    for code in [
        "08000", "08006", "08001", "40001", "40P01", "55P03", "57014", "57P01", "57P02", "57P03",
        "53100", "53200", "53300", "58030", "25006",
    ] {
        assert!(postgres_fault(code).is_some(), "{code}");
    }
}

#[test]
fn mistakes_and_refused_data_are_not_faults() {
    // unique_violation, foreign_key_violation, check_violation, syntax_error, undefined_table,
    // invalid_text_representation, not a code.
    for code in ["23505", "23503", "23514", "42601", "42P01", "22P02", ""] {
        assert!(postgres_fault(code).is_none(), "{code}");
    }
}
