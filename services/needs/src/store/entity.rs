//! sea-orm entities of the needs service's tables.

pub mod partner {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "partners")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub name: String,
        /// `school`, `parish`, `ngo`, `caritas`, `day_care` or `other`.
        pub kind: String,
        pub contact_name: Option<String>,
        pub phone: Option<String>,
        pub email: Option<String>,
        pub street_address: Option<String>,
        pub district: Option<String>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod beneficiary {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "beneficiaries")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub first_name: String,
        pub last_name: String,
        pub phone: Option<String>,
        pub street_address: Option<String>,
        pub district: Option<String>,
        /// Need-to-know only.
        pub note: Option<String>,
        pub partner_id: Option<Uuid>,
        pub created_by: Uuid,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub anonymised_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod beneficiary_read {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "beneficiary_reads")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub beneficiary_id: Uuid,
        pub reader: Uuid,
        pub role: String,
        pub purpose: String,
        /// `full` or `limited`.
        pub view: String,
        pub read_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod need {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "needs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub kind: String,
        pub title: String,
        pub description: String,
        pub beneficiary_id: Option<Uuid>,
        pub partner_id: Option<Uuid>,
        pub district: Option<String>,
        pub street_address: Option<String>,
        pub starts_at: Option<DateTimeUtc>,
        pub ends_at: Option<DateTimeUtc>,
        /// JSON array of weekly slots.
        pub weekly: Option<String>,
        pub period_from: Option<Date>,
        pub period_until: Option<Date>,
        pub wanted: i16,
        /// JSON arrays of catalogue codes.
        pub skills: String,
        pub languages: String,
        pub adults_only: bool,
        pub child_check_required: bool,
        pub urgency: String,
        pub safety_info: Option<String>,
        pub auto_offer: bool,
        pub status: String,
        pub created_by: Uuid,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod need_status_change {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "need_status_changes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub need_id: Uuid,
        pub from_status: Option<String>,
        pub to_status: String,
        pub reason: Option<String>,
        pub changed_by: Option<Uuid>,
        pub changed_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod offer {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "offers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub need_id: Uuid,
        pub volunteer_id: Uuid,
        pub token_hash: String,
        /// `pending`, `accepted`, `declined`, `filled`, `expired` or `withdrawn`.
        pub status: String,
        pub automatic: bool,
        pub expires_at: DateTimeUtc,
        pub offered_by: Option<Uuid>,
        pub offered_at: DateTimeUtc,
        pub answered_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod assignment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "need_assignments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub need_id: Uuid,
        pub volunteer_id: Uuid,
        pub offer_id: Option<Uuid>,
        pub starts_at: DateTimeUtc,
        pub ends_at: DateTimeUtc,
        /// `confirmed`, `in_progress`, `completed`, `cancelled` or `no_show`.
        pub status: String,
        pub checked_in_at: Option<DateTimeUtc>,
        pub checked_out_at: Option<DateTimeUtc>,
        pub minutes: Option<i32>,
        pub completed_by: Option<Uuid>,
        pub volunteer_rating: Option<i16>,
        pub volunteer_feedback: Option<String>,
        pub beneficiary_rating: Option<i16>,
        pub beneficiary_feedback: Option<String>,
        pub end_reason: Option<String>,
        /// JSON array of reminder leads (minutes) already announced.
        pub reminders: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod visit {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "visits")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub assignment_id: Uuid,
        pub starts_at: DateTimeUtc,
        pub ends_at: DateTimeUtc,
        /// `planned`, `done`, `missed` or `cancelled`.
        pub status: String,
        pub minutes: Option<i32>,
        pub note: Option<String>,
        pub concern: bool,
        pub recorded_by: Option<Uuid>,
        pub recorded_at: Option<DateTimeUtc>,
        /// JSON array of reminder leads (minutes) already announced.
        pub reminders: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
