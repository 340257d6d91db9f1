//! Diesel's view of the tables; one schema for both backends (see migrations/).

diesel::table! {
    region_settings (id) {
        id -> Integer,
        name -> Text,
        timezone -> Text,
        official_email_domains -> Text,
        mail_from -> Text,
        language -> Text,
        preset -> Nullable<Text>,
        tier1_label -> Text,
        tier2_label -> Text,
        updated_at -> Timestamp,
        critical_designation -> Bool,
        tier1_compliance_mail -> Bool,
        supervision_interval_days -> Nullable<Integer>,
        alert_service_label -> Text,
        alert_priorities -> Text,
    }
}

diesel::table! {
    units (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        kind -> Text,
        email -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        role -> Text,
        unit_id -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        credential_generation -> BigInt,
        appointment_number -> Nullable<Text>,
        appointment_date -> Nullable<Text>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        user_id -> Text,
        name -> Text,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    calendars (id) {
        id -> Text,
        name -> Text,
        timezone -> Text,
        always_open -> Bool,
        working_hours -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    calendar_holidays (calendar_id, day) {
        calendar_id -> Text,
        day -> Text,
        name -> Text,
    }
}

diesel::table! {
    sla_policies (id) {
        id -> Text,
        name -> Text,
        calendar_id -> Text,
        is_default -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sla_targets (policy_id, priority) {
        policy_id -> Text,
        priority -> Text,
        response_seconds -> BigInt,
        tier1_seconds -> Nullable<BigInt>,
        resolution_seconds -> BigInt,
        warn_at_percent -> Integer,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        action -> Text,
        entity -> Text,
        entity_id -> Text,
        data -> Text,
    }
}

diesel::table! {
    services (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        owner_unit_id -> Text,
        critical -> Bool,
        sla_policy_id -> Nullable<Text>,
        availability_target_percent -> Double,
        description -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        alert_tier -> Integer,
        auto_resolve -> Bool,
    }
}

diesel::table! {
    ticket_counters (year) {
        year -> Integer,
        last_number -> BigInt,
    }
}

diesel::table! {
    tickets (id) {
        id -> Text,
        number -> Text,
        kind -> Text,
        title -> Text,
        description -> Text,
        status -> Text,
        priority -> Text,
        impact -> Text,
        urgency -> Text,
        tier -> Integer,
        unit_id -> Text,
        service_id -> Nullable<Text>,
        assignee_id -> Nullable<Text>,
        tier1_assignee_id -> Nullable<Text>,
        reporter_name -> Text,
        reporter_email -> Nullable<Text>,
        reporter_phone -> Nullable<Text>,
        classification -> Text,
        security_incident -> Bool,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        first_response_at -> Nullable<Timestamp>,
        escalated_at -> Nullable<Timestamp>,
        escalation_reason -> Nullable<Text>,
        resolved_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        resolution -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    ticket_comments (id) {
        id -> Text,
        ticket_id -> Text,
        author_id -> Text,
        body -> Text,
        internal -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ticket_events (id) {
        id -> Text,
        ticket_id -> Text,
        #[sql_name = "type"]
        event_type -> Text,
        actor_id -> Nullable<Text>,
        at -> Timestamp,
        data -> Text,
    }
}

diesel::table! {
    idempotency_keys (user_id, idempotency_key) {
        user_id -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        ticket_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outages (id) {
        id -> Text,
        service_id -> Text,
        started_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        planned -> Bool,
        ticket_id -> Nullable<Text>,
        note -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        source -> Text,
    }
}

diesel::table! {
    alerts (id) {
        id -> Text,
        source -> Text,
        fingerprint -> Text,
        started_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        service_code -> Text,
        service_id -> Nullable<Text>,
        summary -> Text,
        source_url -> Nullable<Text>,
        labels -> Text,
        outage_id -> Nullable<Text>,
        ticket_id -> Nullable<Text>,
        received_by -> Text,
        received_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    ticket_sla (ticket_id) {
        ticket_id -> Text,
        policy_id -> Text,
        calendar_id -> Text,
        targets -> Text,
        response_target -> BigInt,
        response_elapsed -> BigInt,
        response_since -> Nullable<Timestamp>,
        response_met_at -> Nullable<Timestamp>,
        response_warned_at -> Nullable<Timestamp>,
        response_breached_at -> Nullable<Timestamp>,
        tier1_target -> Nullable<BigInt>,
        tier1_elapsed -> BigInt,
        tier1_since -> Nullable<Timestamp>,
        tier1_met_at -> Nullable<Timestamp>,
        tier1_warned_at -> Nullable<Timestamp>,
        tier1_breached_at -> Nullable<Timestamp>,
        resolution_target -> BigInt,
        resolution_elapsed -> BigInt,
        resolution_since -> Nullable<Timestamp>,
        resolution_met_at -> Nullable<Timestamp>,
        resolution_warned_at -> Nullable<Timestamp>,
        resolution_breached_at -> Nullable<Timestamp>,
        next_event_at -> Nullable<Timestamp>,
        due_at -> Nullable<Timestamp>,
        breached -> Bool,
    }
}

diesel::table! {
    availability_breaches (service_id, month) {
        service_id -> Text,
        month -> Text,
        at -> Timestamp,
        downtime_seconds -> BigInt,
        budget_seconds -> BigInt,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        ticket_id -> Nullable<Text>,
        event_id -> Nullable<Text>,
        kind -> Text,
        recipients -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        message_id -> Text,
        thread_id -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_owner -> Nullable<Text>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    trail_links (seq) {
        seq -> BigInt,
        entry -> Text,
        entry_id -> Text,
        hash -> Text,
    }
}

diesel::table! {
    trail_head (id) {
        id -> Integer,
        seq -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    criticality_steps (id) {
        id -> Text,
        service_id -> Text,
        step -> Text,
        note -> Text,
        decree_number -> Nullable<Text>,
        decree_date -> Nullable<Text>,
        taken_by -> Text,
        taken_at -> Timestamp,
    }
}

diesel::table! {
    critical_breaches (id) {
        id -> Text,
        service_id -> Text,
        ticket_id -> Text,
        event_id -> Text,
        due_at -> Timestamp,
        breached_at -> Timestamp,
    }
}

diesel::table! {
    committee_letters (id) {
        id -> Text,
        kind -> Text,
        number -> Text,
        dated -> Text,
        addressee_unit_id -> Text,
        service_id -> Text,
        breach_ids -> Text,
        note -> Text,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    service_closures (id) {
        id -> Text,
        service_id -> Text,
        letter_id -> Nullable<Text>,
        reason -> Text,
        outage_id -> Text,
        closed_by -> Text,
        closed_at -> Timestamp,
        repair_note -> Nullable<Text>,
        repaired_by -> Nullable<Text>,
        reopened_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    supervisions (id) {
        id -> Text,
        unit_id -> Text,
        held_on -> Text,
        findings -> Text,
        follow_ups -> Text,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    problem_links (ticket_id) {
        ticket_id -> Text,
        problem_id -> Text,
        linked_by -> Text,
        linked_at -> Timestamp,
    }
}

diesel::table! {
    digests (kind, period) {
        kind -> Text,
        period -> Text,
        sent_at -> Timestamp,
    }
}

diesel::joinable!(users -> units (unit_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(calendar_holidays -> calendars (calendar_id));
diesel::joinable!(sla_policies -> calendars (calendar_id));
diesel::joinable!(sla_targets -> sla_policies (policy_id));
diesel::joinable!(services -> units (owner_unit_id));
diesel::joinable!(outages -> services (service_id));
diesel::joinable!(alerts -> outages (outage_id));
diesel::joinable!(availability_breaches -> services (service_id));
diesel::joinable!(tickets -> units (unit_id));
diesel::joinable!(ticket_comments -> tickets (ticket_id));
diesel::joinable!(ticket_events -> tickets (ticket_id));
diesel::joinable!(ticket_sla -> tickets (ticket_id));
diesel::joinable!(notifications -> tickets (ticket_id));
diesel::joinable!(criticality_steps -> services (service_id));
diesel::joinable!(critical_breaches -> services (service_id));
diesel::joinable!(committee_letters -> services (service_id));
diesel::joinable!(service_closures -> services (service_id));
diesel::joinable!(supervisions -> units (unit_id));

diesel::allow_tables_to_appear_in_same_query!(
    region_settings,
    units,
    users,
    api_tokens,
    calendars,
    calendar_holidays,
    sla_policies,
    sla_targets,
    audit_log,
    services,
    ticket_counters,
    tickets,
    ticket_comments,
    ticket_events,
    idempotency_keys,
    outages,
    alerts,
    ticket_sla,
    availability_breaches,
    notifications,
    trail_links,
    trail_head,
    criticality_steps,
    critical_breaches,
    committee_letters,
    service_closures,
    supervisions,
    problem_links,
    digests,
);
