-- Who uploaded each photo. The same bytes uploaded by a second person are one attachment, but
-- each uploader may read (and so cite) what they uploaded; someone who only knows the hash may
-- neither read nor cite it (issues/photo_access.cpp).
create table attachment_uploads (
    sha256       text not null references attachments (sha256),
    user_id      bigint not null references users (id),
    uploaded_at  timestamptz not null default now(),
    primary key (sha256, user_id)
);
create index attachment_uploads_user_idx on attachment_uploads (user_id, sha256);

insert into attachment_uploads (sha256, user_id, uploaded_at)
select sha256, uploaded_by, uploaded_at from attachments;

grant select, insert on attachment_uploads to lantian_app;
