// One portable schema for SQLite and PostgreSQL: only types both backends (and diesel's
// MultiConnection) support. UUIDs are stored as text. Keep in step with migrations/*/.

diesel::table! {
    units (code) {
        code -> Text,
        name -> Text,
        level -> Text,
        parent -> Nullable<Text>,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        population -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    forms (form_id, version) {
        form_id -> Text,
        version -> Integer,
        content_hash -> Text,
        definition -> Text,
        loaded_at -> Timestamp,
    }
}

diesel::table! {
    responses (seq) {
        seq -> BigInt,
        id -> Text,
        client_id -> Nullable<Text>,
        form_id -> Text,
        form_version -> Integer,
        unit -> Text,
        channel -> Text,
        submitted_at -> Timestamp,
        received_at -> Timestamp,
        weight -> Double,
        content_hash -> Text,
        packed -> Nullable<Binary>,
    }
}

diesel::table! {
    answers (response_seq, question) {
        response_seq -> BigInt,
        question -> Text,
        num_value -> Nullable<Integer>,
        text_value -> Nullable<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        password_hash -> Text,
        role -> Text,
        disabled -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    kiosks (id) {
        id -> Text,
        name -> Text,
        unit -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    invitations (token_hash) {
        token_hash -> Text,
        form_id -> Text,
        respondent_group -> Text,
        unit -> Text,
        created_at -> Timestamp,
        used -> Bool,
        deadline -> Nullable<Date>,
    }
}

diesel::table! {
    invitation_uses (use_hash) {
        use_hash -> Text,
        form_id -> Text,
        respondent_group -> Text,
    }
}

diesel::table! {
    settings (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor -> Nullable<Text>,
        role -> Nullable<Text>,
        action -> Text,
        target -> Nullable<Text>,
        outcome -> Text,
        detail -> Nullable<Text>,
        address_hash -> Nullable<Text>,
    }
}

diesel::table! {
    unit_mappings (old_code) {
        old_code -> Text,
        new_code -> Text,
        effective -> Date,
    }
}

diesel::table! {
    paper_batches (id) {
        id -> Text,
        form_id -> Text,
        unit -> Text,
        first_serial -> BigInt,
        last_serial -> BigInt,
        double_entry -> Bool,
        printed_at -> Timestamp,
        printed_by -> Text,
    }
}

diesel::table! {
    paper_sheets (sheet) {
        sheet -> Text,
        batch_id -> Text,
        state -> Text,
        response_id -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    paper_entries (id) {
        id -> Text,
        sheet -> Text,
        operator -> Text,
        survey_date -> Date,
        answers -> Text,
        entered_at -> Timestamp,
    }
}

diesel::table! {
    paper_samples (id) {
        id -> Text,
        form_id -> Text,
        share_bp -> Nullable<Integer>,
        count_per_unit -> Nullable<Integer>,
        batch_id -> Nullable<Text>,
        seed -> BigInt,
        drawn_at -> Timestamp,
        drawn_by -> Text,
    }
}

diesel::table! {
    paper_sample_sheets (sample_id, sheet) {
        sample_id -> Text,
        sheet -> Text,
        outcome -> Nullable<Text>,
        checked_at -> Nullable<Timestamp>,
        checked_by -> Nullable<Text>,
        faulty_operators -> Nullable<Text>,
    }
}

diesel::table! {
    response_versions (response_id, version) {
        response_id -> Text,
        version -> Integer,
        answers -> Text,
        content_hash -> Text,
        submitted_at -> Timestamp,
        replaced_at -> Timestamp,
        replaced_by -> Text,
        reason -> Text,
    }
}

diesel::joinable!(answers -> responses (response_seq));
diesel::joinable!(paper_sheets -> paper_batches (batch_id));
diesel::joinable!(paper_entries -> paper_sheets (sheet));
diesel::joinable!(paper_samples -> paper_batches (batch_id));
diesel::joinable!(paper_sample_sheets -> paper_samples (sample_id));
diesel::joinable!(paper_sample_sheets -> paper_sheets (sheet));
diesel::joinable!(sessions -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    units,
    forms,
    responses,
    answers,
    users,
    sessions,
    kiosks,
    invitations,
    invitation_uses,
    settings,
    audit_log,
    unit_mappings,
    paper_batches,
    paper_sheets,
    paper_entries,
    paper_samples,
    paper_sample_sheets,
    response_versions
);
