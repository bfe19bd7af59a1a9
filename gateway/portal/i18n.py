"""The portal's two languages: every text in Italian and English, and how values are shown.

Italian is the default; English is chosen with the language switch (a cookie). A text is looked
up by key; an unknown key is a bug and raises ``KeyError`` rather than showing a placeholder.
Times are shown in Europe/Rome.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import g

LANGUAGES = ("it", "en")
DEFAULT_LANGUAGE = "it"
ROME = ZoneInfo("Europe/Rome")

# key: (Italian, English)
MESSAGES: dict[str, tuple[str, str]] = {
    "app.name": ("Gateway liste certificate", "Certified list gateway"),
    "footer.text": (
        "Certificazione delle liste di contatti per il telemarketing: consensi, RPO, opposizioni.",
        "Contact-list certification for telemarketing: consents, RPO, objections.",
    ),
    "lang.switch": ("English", "Italiano"),
    "common.yes": ("sì", "yes"),
    "common.no": ("no", "no"),
    "pager.next": ("Pagina successiva →", "Next page →"),
    # navigation
    "nav.skip": ("Vai al contenuto", "Skip to content"),
    "nav.label": ("Menu principale", "Main menu"),
    "nav.batches": ("I miei lotti", "My batches"),
    "nav.upload": ("Carica un lotto", "Upload a batch"),
    "nav.profile": ("Informative e fonti", "Notices and sources"),
    "nav.lists": ("Liste certificate", "Certified lists"),
    "nav.batches_addressed": ("Lotti ricevuti", "Batches addressed to us"),
    "nav.objections": ("Opposizioni", "Objections"),
    "nav.orgs": ("Organizzazioni", "Organisations"),
    "nav.all_batches": ("Lotti", "Batches"),
    "nav.rpo": ("Consultazioni RPO", "RPO consultations"),
    "nav.signing_keys": ("Chiavi di firma", "Signing keys"),
    "nav.verify": ("Verifica certificato", "Verify a certificate"),
    "nav.sign_out": ("Esci", "Sign out"),
    # roles and states
    "role.vendor": ("fornitore", "vendor"),
    "role.buyer": ("committente", "buyer"),
    "role.admin": ("amministrazione", "administration"),
    "state.received": ("Ricevuto", "Received"),
    "state.validating": ("In verifica", "Validating"),
    "state.awaiting_rpo": ("In attesa di consultazione RPO", "Awaiting RPO consultation"),
    "state.certified": ("Certificato", "Certified"),
    "state.rejected": ("Respinto", "Rejected"),
    "state.failed": ("Errore interno", "Internal error"),
    # sign-in
    "sign_in.title": ("Accedi", "Sign in"),
    "sign_in.lead": (
        "Accedi con l'email e la password che ti ha dato il gestore del gateway.",
        "Sign in with the email and password the gateway operator gave you.",
    ),
    "sign_in.email": ("Email", "Email"),
    "sign_in.password": ("Password", "Password"),
    "sign_in.submit": ("Accedi", "Sign in"),
    # errors
    "error.code": ("Codice", "Code"),
    "error.home": ("Torna alla pagina iniziale", "Back to the start page"),
    "error.sign_in": ("Vai all'accesso", "Go to sign-in"),
    "error.line": ("riga {line}", "line {line}"),
    "status.400": ("Richiesta non valida", "Bad request"),
    "status.401": ("Accesso richiesto", "Sign-in required"),
    "status.403": ("Accesso negato", "Access denied"),
    "status.404": ("Non trovato", "Not found"),
    "status.405": ("Metodo non consentito", "Method not allowed"),
    "status.409": ("Operazione non possibile ora", "Not possible now"),
    "status.410": ("Non più disponibile", "No longer available"),
    "status.413": ("File troppo grande", "File too large"),
    "status.422": ("Dati non validi", "Invalid data"),
    "status.429": ("Troppi tentativi", "Too many attempts"),
    "status.500": ("Errore interno", "Internal error"),
    "status.other": ("Errore", "Error"),
    "http.400": ("La richiesta non è valida.", "The request is not valid."),
    "http.401": ("Accedi per continuare.", "Sign in to continue."),
    "http.403": ("Non hai accesso a questa pagina.", "You do not have access to this page."),
    "http.404": ("Pagina non trovata.", "Page not found."),
    "http.405": (
        "Questa pagina non accetta questo tipo di richiesta.",
        "This page does not accept this kind of request.",
    ),
    "http.413": ("Il file è troppo grande.", "The file is too large."),
    "http.429": ("Troppi tentativi; riprova più tardi.", "Too many attempts; try again later."),
    "http.500": (
        "Si è verificato un errore interno; è stato registrato. Riprova fra poco.",
        "An internal error occurred; it has been logged. Try again shortly.",
    ),
    "http.other": ("La richiesta non è andata a buon fine.", "The request did not succeed."),
    # batches
    "batches.title": ("Lotti", "Batches"),
    "batches.upload": ("Carica un lotto", "Upload a batch"),
    "batches.empty": ("Nessun lotto per ora.", "No batches yet."),
    "batches.filter_state": ("Stato", "State"),
    "batches.all_states": ("Tutti gli stati", "All states"),
    "batches.filter": ("Filtra", "Filter"),
    "batches.col.file": ("File", "File"),
    "batches.col.vendor": ("Fornitore", "Vendor"),
    "batches.col.buyer": ("Committente", "Buyer"),
    "batches.col.state": ("Stato", "State"),
    "batches.col.rows": ("Righe", "Rows"),
    "batches.col.accepted": ("Accettate", "Accepted"),
    "batches.col.rejected": ("Scartate", "Rejected"),
    "batches.col.uploaded": ("Caricato il", "Uploaded"),
    # upload
    "upload.title": ("Carica un lotto", "Upload a batch"),
    "upload.lead": (
        "Scegli il committente e il file (CSV o XLSX). Il gateway controlla ogni riga e "
        "rilascia un certificato firmato o un avviso di rifiuto con il report.",
        "Choose the buyer and the file (CSV or XLSX). The gateway checks every row and issues "
        "a signed certificate or a rejection notice with its report.",
    ),
    "upload.profile_missing": (
        "Prima di caricare, compila le informative e le fonti dichiarate.",
        "Before uploading, fill in your privacy notices and declared sources.",
    ),
    "upload.buyer": ("Committente", "Buyer"),
    "upload.buyer_no_profile": ("profilo mancante", "no profile yet"),
    "upload.drop": ("Trascina qui il file", "Drop the file here"),
    "upload.drop_hint": ("oppure fai clic per sceglierlo", "or click to choose it"),
    "upload.chosen": ("File scelto:", "Chosen file:"),
    "upload.submit": ("Carica", "Upload"),
    "upload.transferring": ("Invio del file…", "Sending the file…"),
    "upload.transferred": ("File ricevuto.", "File received."),
    "upload.network_error": (
        "La connessione si è interrotta durante l'invio; riprova.",
        "The connection broke during the transfer; try again.",
    ),
    "upload.unexpected": ("Risposta inattesa dal server.", "Unexpected answer from the server."),
    # one batch
    "batch.id": ("Lotto", "Batch"),
    "batch.vendor": ("Fornitore", "Vendor"),
    "batch.buyer": ("Committente", "Buyer"),
    "batch.size": ("Dimensione", "Size"),
    "batch.uploaded": ("Caricato il", "Uploaded"),
    "batch.sha256": ("SHA-256 del file", "File SHA-256"),
    "batch.validation": ("Verifica in corso", "Validation in progress"),
    "batch.progress_waiting": ("In coda…", "Queued…"),
    "batch.progress_rows": ("{done} righe verificate", "{done} rows checked"),
    "batch.progress_of": (
        "{done} di {total} righe ({percent}%)",
        "{done} of {total} rows ({percent}%)",
    ),
    "batch.awaiting_rpo": (
        "Numeri non coperti da una consultazione RPO degli ultimi 15 giorni: {n}. Il lotto "
        "riprende da solo quando il gestore importa una consultazione che li copre.",
        "Numbers not covered by an RPO consultation of the last 15 days: {n}. The batch "
        "resumes on its own once the operator imports a consultation covering them.",
    ),
    "batch.provisional": (
        "Conteggi provvisori: diventano definitivi con l'esito.",
        "Provisional counts: they become final with the decision.",
    ),
    "batch.rpo_request": (
        "Scarica i numeri da consultare (CSV)",
        "Download the numbers to check (CSV)",
    ),
    "batch.failed": (
        "Il lotto non è stato elaborato per un errore interno; il gestore può rilanciarlo.",
        "The batch could not be processed because of an internal error; the operator can run "
        "it again.",
    ),
    "batch.retry": ("Rilancia", "Run again"),
    "batch.decision.certified": ("Certificato", "Certified"),
    "batch.decision.rejected": ("Respinto", "Rejected"),
    "batch.valid_until": ("Valido fino al {when}", "Valid until {when}"),
    "batch.open_list": ("Apri la lista certificata", "Open the certified list"),
    "batch.missing_columns": ("Colonne mancanti", "Missing columns"),
    "batch.downloads": ("Download", "Downloads"),
    "batch.report_xlsx": ("Report (XLSX)", "Report (XLSX)"),
    "batch.report_csv": ("Report (CSV)", "Report (CSV)"),
    "batch.report_json": ("Report (JSON)", "Report (JSON)"),
    "batch.decision_jws": ("Decisione firmata (.jws)", "Signed decision (.jws)"),
    "counts.total": ("righe", "rows"),
    "counts.accepted": ("accettate", "accepted"),
    "counts.rejected": ("scartate", "rejected"),
    "counts.warned": ("con avviso", "with warnings"),
    "chart.title": ("Righe per codice", "Rows by code"),
    "chart.code": ("Codice", "Code"),
    "chart.meaning": ("Significato", "Meaning"),
    "chart.rows": ("Righe", "Rows"),
    # time left
    "left.expired": ("scaduto", "expired"),
    "left.days_hours": ("ancora {days} g e {hours} h", "{days} d {hours} h left"),
    "left.hours_minutes": ("ancora {hours} h e {minutes} min", "{hours} h {minutes} min left"),
    "left.minutes": ("ancora {minutes} min", "{minutes} min left"),
    # buyer lists
    "lists.title": ("Liste certificate", "Certified lists"),
    "lists.lead": (
        "Le liste certificate indirizzate a te. Si possono scaricare finché la consultazione "
        "RPO su cui si basano ha meno di 15 giorni.",
        "Certified lists addressed to you. They can be downloaded while the RPO consultation "
        "they rely on is less than 15 days old.",
    ),
    "lists.empty": ("Nessuna lista certificata per ora.", "No certified lists yet."),
    "lists.show_valid": ("Mostra solo quelle valide", "Show only valid ones"),
    "lists.show_all": ("Mostra tutte", "Show all"),
    "lists.col.list": ("Lista", "List"),
    "lists.col.vendor": ("Fornitore", "Vendor"),
    "lists.col.issued": ("Certificata il", "Certified"),
    "lists.col.rows": ("Righe", "Rows"),
    "lists.col.expiry": ("Scadenza", "Expiry"),
    "lists.col.download": ("Scarica", "Download"),
    "list.download_csv": ("Scarica la lista (CSV)", "Download the list (CSV)"),
    "list.download_xlsx": ("Scarica la lista (XLSX)", "Download the list (XLSX)"),
    "list.download_certificate": (
        "Scarica il certificato (.jws)",
        "Download the certificate (.jws)",
    ),
    "list.expired": (
        "Certificato scaduto il {when}: la lista non si può più scaricare.",
        "Certificate expired on {when}: the list can no longer be downloaded.",
    ),
    "list.batch_page": ("Pagina del lotto e report", "Batch page and report"),
    # the certificate in human form
    "cert.who": ("Chi", "Who"),
    "cert.vendor": ("Fornitore", "Vendor"),
    "cert.buyer": ("Committente", "Buyer"),
    "cert.legal_entity": ("P. IVA / soggetto", "Legal entity"),
    "cert.roc": ("N. ROC", "ROC no."),
    "cert.when": ("Quando e come", "When and how"),
    "cert.decision": ("Esito", "Decision"),
    "cert.issued_at": ("Emesso il", "Issued"),
    "cert.valid_until": ("Valido fino al", "Valid until"),
    "cert.ruleset": ("Regole", "Ruleset"),
    "cert.batch": ("Lotto", "Batch"),
    "cert.what": ("Cosa", "What"),
    "cert.file": ("File", "File"),
    "cert.rpo": ("Consultazioni RPO usate", "RPO consultations relied on"),
    "cert.informative": ("Informative citate", "Privacy notices cited"),
    "cert.none": ("Nessuna", "None"),
    "cert.by_code": ("Righe per codice", "Rows by code"),
    "cert.reasons": ("Motivi del lotto", "Batch reasons"),
    "cert.signature_ok": ("Firma verificata", "Signature verified"),
    "cert.signature_bad": ("Firma non valida", "Signature not valid"),
    "subject.certified.csv": ("Lista certificata", "Certified list"),
    "subject.upload": ("File caricato", "Uploaded file"),
    "subject.report.json": ("Report", "Report"),
    "subject.report.csv": ("Report", "Report"),
    "subject.report.xlsx": ("Report", "Report"),
    # verification
    "verify.title": ("Verifica un certificato", "Verify a certificate"),
    "verify.lead": (
        "Carica un certificato o un avviso di rifiuto (.jws) e, se vuoi, il file a cui si "
        "riferisce: il gateway controlla la firma con le sue chiavi pubblicate.",
        "Upload a certificate or rejection notice (.jws) and, optionally, the file it refers "
        "to: the gateway checks the signature against its published keys.",
    ),
    "verify.certificate": ("Certificato (.jws)", "Certificate (.jws)"),
    "verify.paste": ("…oppure incolla il testo del certificato", "…or paste the certificate text"),
    "verify.file": ("File da controllare (facoltativo)", "File to check (optional)"),
    "verify.file_hint": (
        "La lista certificata, il report o il file caricato: deve essere uno di quelli citati.",
        "The certified list, the report or the uploaded file: it must be one the decision names.",
    ),
    "verify.submit": ("Verifica", "Verify"),
    "verify.ok": ("Verifica riuscita", "Verification passed"),
    "verify.bad": ("Verifica non riuscita", "Verification failed"),
    "verify.file_checked": ("file controllato: {name}", "file checked: {name}"),
    "verify.offline": (
        "Si può verificare anche offline con qualsiasi libreria JOSE e le chiavi pubblicate:",
        "You can also verify offline with any JOSE library and the published keys:",
    ),
    # objections
    "objections.title": ("Opposizioni", "Objections"),
    "objections.lead": (
        "Registra i numeri i cui titolari si sono opposti alle tue chiamate: nessuna lista "
        "certificata per te li conterrà.",
        "Record the numbers whose owners objected to your calls: no list certified for you "
        "will contain them.",
    ),
    "objections.file_title": ("Da file", "From a file"),
    "objections.file": ("File CSV", "CSV file"),
    "objections.file_hint": (
        "Una riga per numero: telefono[,data_registrazione]. Senza data vale da adesso.",
        "One line per number: phone[,recorded_at]. Without a time it applies from now.",
    ),
    "objections.submit_file": ("Importa il file", "Import the file"),
    "objections.number_title": ("Un numero", "One number"),
    "objections.number": ("Numero di telefono", "Phone number"),
    "objections.submit_number": ("Registra l'opposizione", "Record the objection"),
    "objections.recorded": ("Opposizioni registrate: {n}.", "Objections recorded: {n}."),
    "objections.history": ("Importazioni", "Imports"),
    "objections.none": ("Nessuna opposizione registrata.", "No objections recorded."),
    "objections.col.when": ("Importata il", "Imported"),
    "objections.col.numbers": ("Numeri", "Numbers"),
    "objections.col.range": ("Date delle opposizioni", "Objection dates"),
    "objections.col.by": ("Da", "By"),
    # vendor profile
    "profile.title": ("Informative e fonti", "Privacy notices and sources"),
    "profile.lead": (
        "Le versioni dell'informativa e le fonti di raccolta che le righe dei tuoi lotti "
        "possono citare.",
        "The privacy-notice versions and collection sources the rows of your batches may cite.",
    ),
    "profile.saved": ("Profilo salvato.", "Profile saved."),
    "profile.missing": (
        "Il profilo non è ancora stato compilato: serve per caricare i lotti.",
        "The profile has not been filled in yet: it is needed to upload batches.",
    ),
    "profile.invalid": (
        "Il profilo non è stato salvato: correggi i campi segnalati.",
        "The profile was not saved: fix the fields marked below.",
    ),
    "profile.entity": ("Soggetto che raccoglie i dati", "Entity collecting the data"),
    "profile.informative": ("Versioni dell'informativa", "Privacy-notice versions"),
    "profile.informative_hint": (
        "Date in formato ISO (2025-01-01 o 2025-01-01T00:00:00+01:00). Lascia vuota la fine "
        "se la versione è in vigore. Settori separati da virgole. Una riga vuota viene ignorata.",
        "ISO dates (2025-01-01 or 2025-01-01T00:00:00+01:00). Leave the end empty while the "
        "version is in force. Sectors separated by commas. An empty row is ignored.",
    ),
    "profile.informativa": ("Informativa", "Notice"),
    "profile.sources": ("Fonti di raccolta dichiarate", "Declared collection sources"),
    "profile.sources_hint": (
        "Per le fonti web indica i domini (separati da virgole): valgono anche i sottodomini.",
        "For web sources list the domains (comma separated): subdomains count too.",
    ),
    "profile.source": ("Fonte", "Source"),
    "profile.add_informativa": ("Aggiungi un'informativa", "Add a notice"),
    "profile.add_source": ("Aggiungi una fonte", "Add a source"),
    "profile.save": ("Salva il profilo", "Save the profile"),
    "profile.field.name": ("Ragione sociale", "Company name"),
    "profile.field.legal_entity_id": ("Partita IVA o identificativo", "VAT number or identifier"),
    "profile.field.version": ("Versione", "Version"),
    "profile.field.effective_from": ("In vigore dal", "Effective from"),
    "profile.field.effective_until": ("Fino al (escluso)", "Until (exclusive)"),
    "profile.field.sha256": ("SHA-256 del testo", "Text SHA-256"),
    "profile.field.url": ("Indirizzo del testo", "Text address"),
    "profile.field.third_party_sectors": ("Settori dei destinatari", "Recipient sectors"),
    "profile.field.id": ("Identificativo", "Identifier"),
    "profile.field.kind": ("Tipo", "Kind"),
    "profile.field.domains": ("Domini (solo web)", "Domains (web only)"),
    "profile.placeholder.version": ("2025-01", "2025-01"),
    "profile.placeholder.effective_from": ("2025-01-01", "2025-01-01"),
    "profile.placeholder.effective_until": ("", ""),
    "profile.placeholder.sha256": ("64 caratteri esadecimali", "64 hexadecimal characters"),
    "profile.placeholder.url": ("https://…", "https://…"),
    "profile.placeholder.third_party_sectors": ("energia, telecomunicazioni", "energy, telecom"),
    "profile.placeholder.id": ("web-principale", "web-main"),
    "profile.placeholder.domains": ("esempio.it", "example.com"),
    "profile.kind.web": ("web", "web"),
    "profile.kind.paper": ("cartaceo", "paper"),
    "profile.kind.phone": ("telefono", "phone"),
    "profile.kind.event": ("evento", "event"),
    "profile.kind.other": ("altro", "other"),
    "profile.problem.required": ("Campo obbligatorio.", "Required."),
    "profile.problem.unknown": ("Campo non previsto.", "Not a known field."),
    "profile.problem.twice": (
        "Valore ripetuto: deve essere unico.",
        "Listed twice: must be unique.",
    ),
    "profile.problem.until_before_from": (
        "Deve essere successiva alla data di inizio.",
        "Must be later than the start date.",
    ),
    "profile.problem.domains_not_web": (
        "I domini valgono solo per le fonti web.",
        "Domains are only for web sources.",
    ),
    "profile.problem.not_a_date": ("Non è una data reale.", "Not a real date."),
    "profile.problem.instant": (
        "Usa una data ISO, per esempio 2025-01-01 o 2025-01-01T09:00:00+01:00.",
        "Use an ISO date, for example 2025-01-01 or 2025-01-01T09:00:00+01:00.",
    ),
    "profile.problem.invalid": ("Valore non valido.", "Invalid value."),
    "profile.hint.text": (
        "Campo obbligatorio (max 200 caratteri).",
        "Required (at most 200 characters).",
    ),
    "profile.hint.sha256": (
        "Servono 64 caratteri esadecimali.",
        "Needs 64 hexadecimal characters.",
    ),
    "profile.hint.url": (
        "Serve un indirizzo http:// o https://.",
        "Needs an http:// or https:// address.",
    ),
    "profile.hint.sectors": (
        "Settori separati da virgole, senza ripetizioni.",
        "Sectors separated by commas, no repeats.",
    ),
    "profile.hint.kind": ("Scegli un tipo dall'elenco.", "Choose a kind from the list."),
    "profile.hint.domains": (
        "Domini come esempio.it, separati da virgole; obbligatori per le fonti web.",
        "Domains such as example.com, comma separated; required for web sources.",
    ),
    "profile.hint.informative": ("Serve almeno un'informativa.", "At least one notice is needed."),
    "profile.hint.sources": ("Serve almeno una fonte.", "At least one source is needed."),
    # administration
    "orgs.title": ("Organizzazioni", "Organisations"),
    "orgs.col.name": ("Nome", "Name"),
    "orgs.col.role": ("Ruolo", "Role"),
    "orgs.col.profile": ("Profilo", "Profile"),
    "orgs.col.users": ("Utenti", "Users"),
    "orgs.col.created": ("Creata il", "Created"),
    "orgs.create": ("Nuova organizzazione", "New organisation"),
    "orgs.create_submit": ("Crea", "Create"),
    "org.users": ("Utenti", "Users"),
    "org.no_users": ("Nessun utente.", "No users."),
    "org.create_user": ("Nuovo utente", "New user"),
    "org.create_user_submit": ("Crea l'utente", "Create the user"),
    "org.user.email": ("Email", "Email"),
    "org.user.name": ("Nome", "Name"),
    "org.user.created": ("Creato il", "Created"),
    "org.user.password": ("Password iniziale", "Initial password"),
    "org.user.password_hint": (
        "Almeno 10 caratteri. Lascia vuoto per generarne una, mostrata una sola volta.",
        "At least 10 characters. Leave empty to generate one, shown once.",
    ),
    "org.user_created": ("Utente {email} creato.", "User {email} created."),
    "org.password_once": (
        "Password generata (mostrata solo ora, comunicala in modo sicuro):",
        "Generated password (shown only now, pass it on safely):",
    ),
    "org.keys": ("Chiavi API", "API keys"),
    "org.no_keys": ("Nessuna chiave API.", "No API keys."),
    "org.key.id": ("Id", "Id"),
    "org.key.label": ("Etichetta", "Label"),
    "org.key.created": ("Creata il", "Created"),
    "org.key.state": ("Stato", "State"),
    "org.key.active": ("attiva", "active"),
    "org.key.revoked": ("revocata il {when}", "revoked on {when}"),
    "org.key.revoke": ("Revoca", "Revoke"),
    "org.create_key": ("Crea una chiave API", "Create an API key"),
    "org.key_once": (
        "Nuova chiave API: copiala ora, non sarà più mostrata.",
        "New API key: copy it now, it will not be shown again.",
    ),
    "org.profile": ("Profilo", "Profile"),
    "rpo.title": ("Consultazioni RPO", "RPO consultations"),
    "rpo.lead": (
        "Importa l'esito di una consultazione del Registro Pubblico delle Opposizioni: vale 15 "
        "giorni. I lotti in attesa ripartono subito.",
        "Import the outcome of a Registro Pubblico delle Opposizioni consultation: it is valid "
        "15 days. Waiting batches resume at once.",
    ),
    "rpo.imported": ("Consultazione {id} importata.", "Consultation {id} imported."),
    "rpo.resumed": ("Lotti ripresi: {n}.", "Batches resumed: {n}."),
    "rpo.waiting": ("Lotti in attesa di consultazione", "Batches waiting for a consultation"),
    "rpo.none_waiting": ("Nessun lotto in attesa.", "No batch is waiting."),
    "rpo.numbers": ("Numeri da consultare", "Numbers to check"),
    "rpo.request_csv": ("Numeri (CSV)", "Numbers (CSV)"),
    "rpo.format_a": ("Formato A: esito", "Format A: outcome"),
    "rpo.format_a_hint": (
        "CSV telefono,iscritto[,data_iscrizione].",
        "CSV phone,registered[,registered_at].",
    ),
    "rpo.format_b": ("Formato B: inviati e contattabili", "Format B: sent and contactable"),
    "rpo.format_b_hint": (
        "La lista inviata e quella dei contattabili restituita: i numeri mancanti sono iscritti.",
        "The list sent and the contactable list returned: numbers missing from it are registered.",
    ),
    "rpo.esito": ("File dell'esito", "Outcome file"),
    "rpo.sent": ("Lista inviata", "List sent"),
    "rpo.contactable": ("Lista dei contattabili", "Contactable list"),
    "rpo.consulted_at": ("Consultato il (ora di Roma)", "Consulted at (Rome time)"),
    "rpo.import": ("Importa", "Import"),
    "rpo.consultations": ("Consultazioni importate", "Imported consultations"),
    "rpo.none": ("Nessuna consultazione importata.", "No consultation imported."),
    "rpo.col.id": ("Id", "Id"),
    "rpo.col.format": ("Formato", "Format"),
    "rpo.col.entries": ("Numeri", "Numbers"),
    "rpo.col.registered": ("Iscritti", "Registered"),
    "rpo.col.imported": ("Importata il", "Imported"),
    "keys.title": ("Chiavi di firma", "Signing keys"),
    "keys.lead": (
        "Ogni chiave usata per firmare resta pubblicata, così i certificati già emessi restano "
        "verificabili.",
        "Every key ever used to sign stays published, so certificates already issued remain "
        "verifiable.",
    ),
    "keys.backend": ("Tipo", "Backend"),
    "keys.created": ("Creata il", "Created"),
    "keys.current": ("in uso", "current"),
    "keys.unpublished": (
        "pubblicata alla prima firma",
        "published with its first signature",
    ),
    "keys.none": ("Nessuna chiave ancora pubblicata.", "No key published yet."),
    "keys.rotate": ("Crea una nuova chiave", "Create a new key"),
    "keys.rotate_hint": (
        "La nuova chiave firma da subito in questo processo; gli altri processi la usano dopo "
        "il riavvio.",
        "The new key signs at once in this process; other processes use it after a restart.",
    ),
    "keys.rotated": ("Nuova chiave in uso: {kid}", "New key in use: {kid}"),
    "keys.kms": (
        "La firma usa una chiave AWS KMS: la rotazione si fa in KMS, poi si riavvia il servizio.",
        "Signing uses an AWS KMS key: rotate it in KMS, then restart the service.",
    ),
    "keys.published": ("Chiavi pubblicate:", "Published keys:"),
}

# Details that services attach to errors (in English), said in both languages.
DETAILS: dict[str, str] = {
    "Missing data for required field.": "Campo obbligatorio.",
    "must be a valid email address": "deve essere un indirizzo email valido",
    "is already in use": "è già in uso",
    "must not be empty": "non può essere vuoto",
    "Not a valid date and time.": "Non è una data e ora valida.",
    "Not a valid timestamp.": "Non è una data e ora valida.",
    "not a valid phone number": "non è un numero di telefono valido",
    "more than two fields": "più di due campi",
    "recorded_at is not a date": "la data di registrazione non è una data",
    "Unknown buyer organisation.": "Committente sconosciuto.",
    "The file is empty.": "Il file è vuoto.",
}


def current_language() -> str:
    """The language of the current request (Italian unless the user chose English)."""
    lang = g.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def translate(key: str, lang: str, **values: Any) -> str:
    """Return the text of ``key`` in ``lang``, with ``{name}`` placeholders filled in."""
    text = MESSAGES[key][0 if lang == "it" else 1]
    return text.format(**values) if values else text


def detail(text: Any, lang: str) -> str:
    """Say a service's English detail message in ``lang`` when it is a known one."""
    text = str(text)
    if lang != "it":
        return text
    if text in DETAILS:
        return DETAILS[text]
    for prefix, italian in (("must be at least ", "almeno"), ("must be at most ", "al massimo")):
        if text.startswith(prefix) and text.endswith(" characters long"):
            return f"deve avere {italian} {text.split()[4]} caratteri"
    if text.startswith("must be one of "):
        return "deve essere uno tra " + text.removeprefix("must be one of ")
    return text


def pick(item: Any, lang: str) -> str:
    """The message of an error or verdict in ``lang`` (``message_it`` or ``message``)."""
    if isinstance(item, dict):
        return item.get("message_it" if lang == "it" else "message") or item.get("message", "")
    return getattr(item, "message_it" if lang == "it" else "message")


def state_label(state: str | None, lang: str) -> str:
    """The name of a batch state."""
    key = f"state.{state}"
    return translate(key, lang) if key in MESSAGES else str(state)


def role_name(role: str | None, lang: str) -> str:
    """The name of an organisation role."""
    key = f"role.{role}"
    return translate(key, lang) if key in MESSAGES else str(role)


def status_title(status: int, lang: str) -> str:
    """A short title for an error page."""
    key = f"status.{status}"
    return translate(key if key in MESSAGES else "status.other", lang)


def http_message(status: int, lang: str) -> str:
    """The explanation of a plain HTTP error."""
    key = f"http.{status}"
    return translate(key if key in MESSAGES else "http.other", lang)


def _catalogue() -> dict[str, Any]:
    from ..rules.catalogue import CODES

    return CODES


def code_message(code: str, lang: str) -> str:
    """What a rule code means, from the ruleset's catalogue."""
    rule = _catalogue().get(code)
    if rule is None:
        return ""
    return rule.message_it if lang == "it" else rule.message_en


def code_kind(code: str) -> str:
    """``reject``, ``warning``, ``file`` or ``batch`` (unknown codes count as rejections)."""
    rule = _catalogue().get(code)
    return rule.kind if rule is not None else "reject"


def _moment(value: str | datetime | None) -> datetime | None:
    if value is None or value == "":
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def format_time(value: str | datetime | None, lang: str) -> str:
    """A time in Europe/Rome: ``31/12/2025 14:05`` in Italian, ``2025-12-31 14:05`` in English."""
    moment = _moment(value)
    if moment is None:
        return "–"
    local = moment.astimezone(ROME)
    return local.strftime("%d/%m/%Y %H:%M" if lang == "it" else "%Y-%m-%d %H:%M")


def format_number(value: Any, lang: str) -> str:
    """A whole number with thousands separators (``1.234`` in Italian, ``1,234`` in English)."""
    if not isinstance(value, int | float):
        return "–"  # absent (None, or undefined in a template)
    text = f"{int(value):,}"
    return text.replace(",", ".") if lang == "it" else text


def format_bytes(value: Any, lang: str) -> str:
    """A size in B, KB, MB or GB (decimal comma in Italian)."""
    if not isinstance(value, int | float):
        return "–"
    size = float(value)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            text = f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
            return text.replace(".", ",") if lang == "it" else text
        size /= 1024
    return str(value)


def format_time_left(
    until: str | datetime | None, lang: str, *, plus_days: int = 0, now: datetime | None = None
) -> str:
    """How long until ``until`` (plus ``plus_days``), or ``expired``."""
    moment = _moment(until)
    if moment is None:
        return "–"
    left = moment + timedelta(days=plus_days) - (now or datetime.now(UTC))
    seconds = int(left.total_seconds())
    if seconds <= 0:
        return translate("left.expired", lang)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = max(1, rest // 60) if not days and not hours else rest // 60
    if days:
        return translate("left.days_hours", lang, days=days, hours=hours)
    if hours:
        return translate("left.hours_minutes", lang, hours=hours, minutes=minutes)
    return translate("left.minutes", lang, minutes=minutes)


def progress_text(done: int, total: int | None, lang: str) -> str:
    """Validation progress in words."""
    if total:
        percent = round(100 * done / total)
        return translate(
            "batch.progress_of",
            lang,
            done=format_number(done, lang),
            total=format_number(total, lang),
            percent=percent,
        )
    if done:
        return translate("batch.progress_rows", lang, done=format_number(done, lang))
    return translate("batch.progress_waiting", lang)
