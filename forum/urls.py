from django.urls import path

from .views import faq, flags, images, invites, moderation, questions, registration

app_name = "forum"

urlpatterns = [
    path("", questions.question_list, name="question-list"),
    path("tanya/", questions.question_create, name="question-create"),
    path("p/<uuid:uid>/", questions.question_detail, name="question-detail"),
    path("p/<uuid:uid>/jawab/", questions.answer_create, name="answer-create"),
    path("p/<uuid:uid>/setujui/", moderation.question_approve, name="question-approve"),
    path("p/<uuid:uid>/tolak/", moderation.question_reject, name="question-reject"),
    path("p/<uuid:uid>/sembunyikan/", moderation.question_hide, name="question-hide"),
    path("jawaban/<uuid:uid>/terima/", questions.answer_accept, name="answer-accept"),
    path("jawaban/<uuid:uid>/membantu/", questions.answer_helpful, name="answer-helpful"),
    path("jawaban/<uuid:uid>/setujui/", moderation.answer_approve, name="answer-approve"),
    path("jawaban/<uuid:uid>/tolak/", moderation.answer_reject, name="answer-reject"),
    path("jawaban/<uuid:uid>/sembunyikan/", moderation.answer_hide, name="answer-hide"),
    path("foto/<uuid:uid>/", images.post_image, name="post-image"),
    path("moderasi/", moderation.moderation_queue, name="moderation-queue"),
    path("p/<uuid:uid>/laporkan/", flags.question_flag, name="question-flag"),
    path("jawaban/<uuid:uid>/laporkan/", flags.answer_flag, name="answer-flag"),
    path("laporan/", flags.flag_queue, name="flag-queue"),
    path(
        "p/<uuid:uid>/laporan/selesai/",
        flags.question_flags_resolve,
        name="question-flags-resolve",
    ),
    path(
        "jawaban/<uuid:uid>/laporan/selesai/",
        flags.answer_flags_resolve,
        name="answer-flags-resolve",
    ),
    path("faq/", faq.faq_list, name="faq-list"),
    path("faq/baru/", faq.faq_create, name="faq-create"),
    path("faq/<uuid:uid>/", faq.faq_detail, name="faq-detail"),
    path("faq/<uuid:uid>/ubah/", faq.faq_edit, name="faq-edit"),
    path("faq/<uuid:uid>/terbitkan/", faq.faq_publish, name="faq-publish"),
    path("faq/<uuid:uid>/tarik/", faq.faq_withdraw, name="faq-withdraw"),
    path("p/<uuid:uid>/jadikan-faq/", faq.faq_create_from, name="faq-create-from"),
    path("daftar/", registration.registration_create, name="registration-create"),
    path("daftar/terkirim/", registration.registration_sent, name="registration-sent"),
    path("daftar/kirim-ulang/", registration.registration_resend, name="registration-resend"),
    path(
        "daftar/konfirmasi/<str:token>/",
        registration.registration_confirm,
        name="registration-confirm",
    ),
    path("kode-undangan/", invites.invitecode_index, name="invitecode-index"),
    path(
        "kode-undangan/<int:pk>/nonaktifkan/",
        invites.invitecode_deactivate,
        name="invitecode-deactivate",
    ),
    path("sekolah/<str:npsn>/kode-undangan/", invites.invitecode_list, name="invitecode-list"),
    path(
        "sekolah/<str:npsn>/kode-undangan/baru/",
        invites.invitecode_create,
        name="invitecode-create",
    ),
]
