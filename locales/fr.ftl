# Messages français du client en ligne de commande `bank`.
# Chaque identifiant doit aussi exister dans en.ftl (un test le vérifie).

## Erreurs
error-invalid-url = « { $url } » n’est pas une URL de serveur ; exemple attendu : http://127.0.0.1:50051.
error-unreachable = Impossible de joindre le service bancaire à { $url } : bank-server y est-il lancé ?
error-unavailable = Le service bancaire à { $url } est indisponible (arrêt en cours ou surcharge) ; réessayez dans un instant.
error-timeout = Le serveur n’a pas répondu à temps (voir --timeout).
error-deadline = L’appel n’a pas pris fin avant son délai (DEADLINE_EXCEEDED ; voir --deadline).
error-rejected = Le serveur a refusé la requête : { $reason }
error-invalid-field = Le serveur a refusé la requête : { $field } : { $reason }.
error-server = Le serveur a répondu { $code } : { $reason }
error-input = Impossible de lire { $path } : { $detail }
error-output = Impossible d’écrire la sortie : { $detail }
error-runtime = Démarrage impossible : { $detail }
error-tls-handshake = La négociation TLS avec { $url } a échoué ({ $detail }) : vérifiez --ca, ainsi que --cert et --key si le serveur demande un certificat client.
error-tls-refused = Le serveur à { $url } a fermé la connexion juste après la négociation TLS : il exige sans doute un certificat client (--cert et --key) signé par une autorité qu’il reconnaît.
error-not-pem = { $path } n’est pas un fichier PEM du type attendu (un certificat pour --ca et --cert, une clé privée pour --key).
error-tls-setup = Impossible de configurer TLS ({ $detail }) : vérifiez --ca, --cert et --key.
error-invalid-token = Le jeton d’API (--token ou BANK_TOKEN) doit être en ASCII imprimable, sans espace.
error-unauthenticated = Le serveur exige un jeton d’API valide : donnez-le avec --token ou BANK_TOKEN.
interrupted = Interrompu.
error-wrong-scheme-tls = Le serveur à { $url } parle TLS, et { $url } demande une connexion en clair : utilisez { $suggested }
error-wrong-scheme-plaintext = Le serveur à { $url } parle HTTP/2 en clair, pas TLS : utilisez { $suggested }
# Les refus du serveur (motifs google.rpc.ErrorInfo), dits dans les termes
# de la ligne de commande ; les autres sont montrés tels que le serveur les dit.
error-reason-amount-not-decimal = le montant doit être un nombre décimal comme 12,50 ou 10 000,50
error-reason-amount-not-positive = le montant doit être supérieur à zéro
error-reason-amount-too-precise = { $minor_units ->
        [0] { $currency } n’a pas de décimales : le montant doit être un nombre entier
        [one] { $currency } n’a qu’une décimale : le montant ne peut pas en avoir plus
       *[other] { $currency } n’a que { $minor_units } décimales : le montant ne peut pas en avoir plus
    }
error-reason-amount-too-large = le montant peut avoir au plus { $max_integer_digits } chiffres avant sa virgule
error-reason-currency-code-malformed = une devise s’écrit avec son code ISO 4217 de trois lettres, comme EUR (bank currencies les liste)
error-reason-currency-not-supported = { $currency } n’est pas une devise que ce serveur convertit (bank currencies liste celles qu’il connaît)
error-reason-pair-malformed = une paire s’écrit DE/VERS, comme EUR/USD
error-reason-pair-same-currency = les deux devises doivent être différentes
error-reason-tick-not-started = cet instant est dans le futur : un taux n’est publié qu’une fois sa période de cotation commencée
error-reason-beyond-history = cet instant est plus ancien que les { $max_days } jours d’historique que ce serveur garde
error-io-not-found = fichier introuvable
error-io-permission = permission refusée
error-io-directory = c’est un dossier, pas un fichier
error-io-invalid-data = les données lues ne sont pas du texte valide

## bank currencies
currencies-code = Code
currencies-name = Nom
currencies-minor-units = Décimales
# Noms des devises par code ISO 4217 ; un code absent ici affiche le nom donné par le serveur.
currency-name-AED = Dirham des Émirats arabes unis
currency-name-AUD = Dollar australien
currency-name-BHD = Dinar de Bahreïn
currency-name-BRL = Réal brésilien
currency-name-CAD = Dollar canadien
currency-name-CDF = Franc congolais
currency-name-CHF = Franc suisse
currency-name-CLP = Peso chilien
currency-name-CNY = Yuan renminbi
currency-name-CZK = Couronne tchèque
currency-name-DKK = Couronne danoise
currency-name-DZD = Dinar algérien
currency-name-EGP = Livre égyptienne
currency-name-EUR = Euro
currency-name-GBP = Livre sterling
currency-name-GNF = Franc guinéen
currency-name-HKD = Dollar de Hong Kong
currency-name-HTG = Gourde
currency-name-HUF = Forint
currency-name-IDR = Roupie indonésienne
currency-name-ILS = Nouveau shekel israélien
currency-name-INR = Roupie indienne
currency-name-ISK = Couronne islandaise
currency-name-JOD = Dinar jordanien
currency-name-JPY = Yen
currency-name-KMF = Franc comorien
currency-name-KRW = Won
currency-name-KWD = Dinar koweïtien
currency-name-MAD = Dirham marocain
currency-name-MGA = Ariary malgache
currency-name-MXN = Peso mexicain
currency-name-NOK = Couronne norvégienne
currency-name-NZD = Dollar néo-zélandais
currency-name-OMR = Rial omanais
currency-name-PLN = Zloty
currency-name-RWF = Franc rwandais
currency-name-SAR = Riyal saoudien
currency-name-SEK = Couronne suédoise
currency-name-SGD = Dollar de Singapour
currency-name-THB = Baht
currency-name-TND = Dinar tunisien
currency-name-TRY = Livre turque
currency-name-USD = Dollar des États-Unis
currency-name-VND = Dong
currency-name-XAF = Franc CFA (BEAC)
currency-name-XOF = Franc CFA (BCEAO)
currency-name-ZAR = Rand

## bank convert
convert-result = { $amount } { $from } = { $converted } { $to }
convert-rate = taux { $rate } ({ $from }/{ $to }), période de cotation n° { $sequence } à { $time }

## bank rates
rates-pair = Paire
rates-bid = Achat
rates-mid = Moyen
rates-ask = Vente
rates-header = Période n° { $sequence } à { $time } · sautées : { $skipped }
rates-stop-hint = Ctrl-C : arrêter
rates-hidden = … { $count ->
        [one] une paire de plus, non affichée : le terminal est trop petit
       *[other] { $count } paires de plus, non affichées : le terminal est trop petit
    } …
rates-gap = … { $skipped ->
        [one] { $skipped_text } période de cotation sautée
       *[other] { $skipped_text } périodes de cotation sautées
    } (ce lecteur a pris du retard) …
rates-gap-reconnected = … { $skipped ->
        [one] { $skipped } période de cotation manquée
       *[other] { $skipped } périodes de cotation manquées
    } pendant la reconnexion …
rates-reconnecting = Connexion perdue avec le service bancaire à { $url } ; reconnexion en cours…
rates-reconnected = De nouveau connecté au service bancaire à { $url }.
rates-replayed = … rejeu de { $count ->
        [one] { $count_text } période de cotation
       *[other] { $count_text } périodes de cotation
    } depuis la n° { $from } : rien de manqué …
rates-quote = { $pair } achat { $bid } moyen { $mid } vente { $ask }

## bank batch
batch-progress = lignes envoyées
# $sep est le séparateur de champs (--delimiter) ; $target vaut "given" avec --to.
batch-reading-terminal = Lecture des lignes CSV saisies ici ({ $target ->
        [given] montant{ $sep }de[{ $sep }id]
       *[each] montant{ $sep }de{ $sep }vers[{ $sep }id]
    }) ; pour terminer, { $platform ->
        [windows] tapez Ctrl-Z puis Entrée
       *[other] tapez Ctrl-D en début de ligne
    }.
batch-counts = Acceptées : { $accepted }, refusées : { $rejected }, lignes mal formées : { $malformed }
batch-rates = Tous les taux de la période de cotation n° { $sequence } à { $time }.
batch-totals = Totaux :
batch-items = { $count ->
        [one] { $count_text } élément
       *[other] { $count_text } éléments
    }
batch-problems = Problèmes :
batch-rejected-item = ligne { $line } : { $reason }
batch-rejected-item-unmapped = ligne envoyée n° { $number } (sa ligne dans le fichier n’a pas été suivie) : { $reason }
batch-malformed-row = ligne { $line } : ligne mal formée : { $reason }
batch-unlisted = … et { $count ->
        [one] { $count_text } autre non listé
       *[other] { $count_text } autres non listés
    }
batch-row-fields = { $expected } champs attendus, { $found ->
        [one] { $found } trouvé
       *[other] { $found } trouvés
    }
batch-row-encoding = texte UTF-8 invalide
batch-row-unreadable = ligne CSV invalide (un champ entre guillemets n’est pas fermé, ou du texte suit le guillemet fermant)
batch-row-too-long = plus longue que 64 Kio
batch-bad-delimiter = le séparateur doit être un seul caractère ASCII
batch-incomplete = Le lot n’a pas abouti : { $sent ->
        [one] { $sent_text } ligne envoyée
       *[other] { $sent_text } lignes envoyées
    } et aucun récapitulatif reçu.
batch-partial = { $sent ->
        [one] { $sent_text } ligne avait été envoyée
       *[other] { $sent_text } lignes avaient été envoyées
    } ; aucun total n’est affiché pour un fichier lu en partie

## bank session
watch-intro = Observation de chaque appel au service bancaire ; Ctrl-C pour arrêter.
watch-started = ▶ { $method } ({ $model }), stream HTTP/2 { $stream } · { $metadata }
watch-model-unary = unaire
watch-model-server-streaming = flux serveur
watch-model-client-streaming = flux client
watch-model-bidi-streaming = flux bidirectionnel
watch-message = { $type }, { $bytes } octets ({ $json } en JSON)
watch-compressed = (compressé, non affiché)
watch-truncated = … (coupé)
watch-half-close = demi-fermeture : le client a tout envoyé
watch-ended = { $code } après { $duration } ms
watch-since = +{ $duration } ms
watch-ended-cancelled = annulé par le client
watch-ended-deadline = l’échéance du client est dépassée
watch-skipped = … { $count ->
    [one] { $count } événement sauté
   *[other] { $count } événements sautés
} : cette vue a pris du retard
session-intro = Saisissez des conversions comme « 100 USD EUR » (éventuellement suivies d’un identifiant) ; quitter ou Ctrl-D pour terminer.
session-reply = [{ $request }] { $amount } { $from } = { $converted } { $to } (taux { $rate })
session-error = [{ $request }] erreur : { $reason }
session-bad-line = format attendu : MONTANT DE VERS [ID], par exemple 100 USD EUR

## Erreurs du serveur (envoyées en google.rpc.LocalizedMessage et dans ItemError.message)
# $name est le nom du champ en français, $field son nom dans le contrat,
# donné à côté pour qui lit le proto.
error-invalid-input = { $name } ({ $field }) : { $problem }
field-amount = montant
field-from-currency = devise de départ
field-to-currency = devise d’arrivée
field-request-id = identifiant de requête
field-pairs = paires
field-from-sequence = séquence de reprise
field-pair = paire
field-start-time = début
field-end-time = fin
field-interval = intervalle
field-at = instant
error-overflow = le résultat sort de l’intervalle que ce service représente exactement
error-rate-unavailable = aucun taux n’a pu être calculé pour { $pair }
error-too-many-feeds = ce serveur sert déjà son maximum de { $max } abonnements au fil des taux ; réessayez plus tard
error-too-many-sessions = ce serveur tient déjà son maximum de { $max } sessions ; réessayez plus tard
error-too-many-batches = ce serveur traite déjà son maximum de { $max } lots ; réessayez plus tard
error-too-many-feeds-per-connection = cette connexion tient déjà son maximum de { $max } abonnements au fil des taux ; fermez-en un, ou ouvrez une autre connexion
error-too-many-sessions-per-connection = cette connexion tient déjà son maximum de { $max } sessions ; fermez-en une, ou ouvrez une autre connexion
error-idle = aucun message n’est arrivé pendant { $idle } : le serveur a fermé l’appel pour libérer sa place
error-stalled = le client n’a rien lu pendant { $limit } alors qu’une réponse attendait : le serveur a fermé l’appel pour libérer sa place
error-message-too-large = un message de requête de { $size } octets dépasse les { $max } octets que cette méthode accepte
error-request-too-slow = la requête n’est pas arrivée entière dans les { $limit } qui ont suivi le début de l’appel : le serveur a fermé l’appel
error-shed = cette connexion mène déjà { $max } appels à la fois ; réessayez dans un instant, ou ouvrez une autre connexion
error-connection-closing = cette connexion a atteint son âge maximal ; reconnectez-vous pour continuer
problem-amount-malformed = doit être un nombre décimal simple comme 100 ou 12.50 (des chiffres et au plus un point ; ni signe, ni exposant, ni espace, ni zéro initial)
problem-amount-zero = doit être supérieur à zéro
problem-amount-too-precise = a plus de décimales que { $currency } n’en autorise ({ $minor_units })
problem-amount-too-large = doit être inférieur à 10^15 (un million de milliards) d’unités
problem-currency-malformed = doit être un code ISO 4217 de trois lettres majuscules, comme EUR
problem-currency-unsupported = { $code } n’est pas une devise prise en charge
problem-pair-malformed = l’élément { $number } doit s’écrire DE/VERS avec deux codes de devise, comme EUR/USD
problem-pair-unsupported = l’élément { $number } nomme { $code }, qui n’est pas une devise prise en charge
problem-pair-same = l’élément { $number } doit nommer deux devises différentes
problem-too-many-pairs = { $max ->
        [one] au plus { $max } paire peut être demandée à la fois
       *[other] au plus { $max } paires peuvent être demandées à la fois
    }
problem-request-id-too-long = ne doit pas dépasser { $max ->
        [one] { $max } octet
       *[other] { $max } octets
    }
problem-pair-shape = doit s’écrire DE/VERS avec deux codes de devise, comme EUR/USD
problem-same-currency = doit nommer deux devises différentes
problem-time-malformed = doit être un horodatage valide postérieur à 1970
problem-missing = est obligatoire
problem-not-after-start = doit être postérieur à start_time
problem-not-whole-ticks = doit être un nombre entier de périodes de cotation ({ $tick_ms } ms chacune)
problem-too-many-candles = donnerait plus de { $max } bougies ; choisissez un intervalle plus long ou une période plus courte
problem-too-many-ticks = couvrirait plus de { $max } périodes de cotation ; choisissez une période plus courte
problem-in-future = est dans le futur : aucune période de cotation n’est servie avant d’avoir commencé
problem-beyond-horizon = est plus ancien que les { $days } jours d’historique que ce service sert
problem-before-replay-window = est plus ancien que la fenêtre de reprise, qui commence à la période de cotation { $oldest }
problem-after-next-tick = est après la prochaine période de cotation, { $next }
problem-not-the-batch-tick = nomme la période de cotation { $tick }, mais ce lot est calculé à la période { $batch }

## bank history
history-summary = { $pair } · { $candles ->
        [one] { $candles } bougie
       *[other] { $candles } bougies
    } · ouverture { $open } · plus haut { $high } · plus bas { $low } · clôture { $close } · variation { $change } ({ $percent } %)
history-empty = Aucune bougie sur cette période.

## bank tour
tour-title = Visite guidée des quatre modèles gRPC, en direct, sur un service de conversion de devises.
tour-embedded = Serveur intégré à la visite démarré sur { $addr } (il s’arrête à la fin de la visite).
tour-external = Service bancaire utilisé : { $url }.
tour-heading = ━━ { $number }/{ $total } · { $name } ━━
tour-signature = Le contrat (proto/bank/v1/bank.proto) :
tour-live = L’appel en direct, message par message (temps écoulé depuis le début de l’appel) :
tour-arrow-client = client → serveur
tour-arrow-server = serveur → client
tour-seen = Ce que vous venez de voir :
tour-seen-counts = { $sent ->
        [one] { $sent } message
       *[other] { $sent } messages
    } du client, { $received } du serveur.
tour-size-message = Message
tour-size-protobuf = Octets protobuf
tour-size-json = Mêmes données en JSON compact
tour-size-total = Au total : { $protobuf } octets en protobuf contre { $json } octets en JSON, soit { $percent } % de la taille JSON.
tour-size-json-note = Le JSON montré ici est du JSON compact : sans espaces, avec les noms de champs du proto en snake_case et les entiers de 64 bits en nombres. Ce n’est pas le JSON canonique de proto3, qui écrit les noms en lowerCamelCase et les entiers de 64 bits en chaînes.
tour-code = Le code : { $file }
tour-pause = Appuyez sur Entrée pour le chapitre suivant…
tour-done = Voilà les quatre modèles et la façon dont leurs appels se terminent. À vous : bank convert, bank rates, bank batch, bank session (bank --help) ; le TP, docs/lab/tp.md, propose des exercices.
tour-done-one = C’était l’un des quatre modèles : { $name }. À vous avec { $command } ; bank tour les montre tous les quatre.

tour-unary-name = Unaire
tour-unary-what = Une requête, une réponse : la forme d’un appel de fonction ordinaire, à travers le réseau.
tour-unary-when = À choisir dès que la réponse tient en un message et que le client l’attend : la plupart des API ne font que cela.
tour-unary-example = Ici : convertir 100 USD en EUR. La réponse porte le taux exact appliqué et sa période de cotation, pour que le résultat soit vérifiable.
tour-unary-shape = Forme : une flèche dans chaque sens.

tour-server-streaming-name = Flux serveur
tour-server-streaming-what = Une requête, puis un flux de réponses tant que le serveur a quelque chose à dire.
tour-server-streaming-when = À choisir pour les fils continus et le suivi d’avancement : taux, journaux, notifications. Pas d’interrogation répétée ; un lecteur lent saute directement au dernier état au lieu d’obliger le serveur à accumuler les anciens.
tour-server-streaming-example = Ici : s’abonner à EUR/USD et EUR/XOF et recevoir 4 mises à jour (EUR/XOF reste à sa parité fixe, 655,957).
tour-server-streaming-ticks = La première est celle de la période de cotation en cours, envoyée aussitôt ; puis une par période (toutes les { $tick_ms } ms ici).
tour-server-streaming-ticks-unknown = La première est celle de la période de cotation en cours, envoyée aussitôt ; puis une par période.
tour-server-streaming-shape = Forme : une requête, puis un flux de mises à jour.
tour-resume-cut = Ce fil a été coupé après la période de cotation n° { $last } ; d’autres périodes passent pendant l’absence. Les taux de chaque période sont une fonction pure de la graine et de son numéro : le client demande à reprendre à la période n° { $last } + 1 (from_sequence) et reçoit chaque période manquée, exactement telle qu’elle a été publiée, puis le fil en direct.
tour-resume-none-lost = Les périodes de cotation n° { $from } à n° { $to } sont arrivées dans l’ordre : aucune de perdue. `bank rates` reprend ainsi après chaque connexion perdue.

tour-client-streaming-name = Flux client
tour-client-streaming-what = Un flux de requêtes, puis une seule réponse quand le client a fini d’envoyer.
tour-client-streaming-when = À choisir pour les envois et les lots : le client envoie au fil de sa lecture, le serveur agrège au fil de la réception, personne ne garde le fichier entier en mémoire.
tour-client-streaming-example = Ici : cinq factures converties au même instantané de taux, dont une invalide ; le récapitulatif donne les totaux exacts et la position de l’élément refusé.
tour-client-streaming-shape = Forme : plusieurs requêtes, puis un récapitulatif.

tour-bidi-name = Flux bidirectionnel
tour-bidi-what = Sur un seul appel, les deux côtés émettent en même temps, chacun à son rythme : requêtes et réponses s’entrelacent.
tour-bidi-when = À choisir pour les conversations : messagerie, écrans de marché, une caisse qui convertit chaque vente à la volée.
tour-bidi-example = Ici : une caisse envoie quatre conversions en gardant deux requêtes en cours ; elle envoie la suivante dès qu’une réponse arrive. Les réponses reviennent une par requête, dans l’ordre, chacune dès qu’elle est calculée ; une requête invalide (« 12,5 » : sur le réseau, le séparateur décimal est le point ; la CLI convertit pour vous) reçoit une réponse d’erreur sans interrompre la session.
tour-bidi-shape = Forme : requêtes et réponses entrelacées.

tour-wire-opened = HEADERS : l’appel s’ouvre, avec ses métadonnées
tour-wire-user-agent = (tonic ajoute son propre nom après)
tour-wire-half-closed = demi-fermeture (END_STREAM) : le client n’enverra plus rien
tour-wire-answered = HEADERS : le serveur répond (HTTP { $status })
tour-wire-trailers = en-têtes de fin : l’appel se termine
tour-wire-trailers-only = en-têtes de fin seuls : l’appel se termine aussitôt, sans message
tour-wire-reset = RST_STREAM (CANCEL) : le client abandonne l’appel
tour-wire-unread = un message arrivé que le client n’a jamais lu
tour-done-lesson = C’était une leçon : { $name }. À vous avec { $command } ; bank tour montre tous les chapitres.

tour-measure-title = Pourquoi ne pas appeler Convert { $count } fois ? Mesuré à l’instant, sur ce serveur :
tour-measure-unary = { $count } conversions en { $calls } appels unaires, chacun attendant sa réponse : { $calls } streams HTTP/2, { $headers } blocs d’en-têtes, { $millis } ms.
tour-measure-session = Les mêmes { $count } conversions dans une seule session, envoyées sans attendre : { $calls } stream HTTP/2, { $headers } blocs d’en-têtes, { $millis } ms.
tour-measure-messages = Les deux ont porté les mêmes { $messages } messages ; chaque appel unaire a payé en plus sa propre ouverture, sa réponse et ses en-têtes de fin.
tour-measure-ratio = La session a été { $ratio } fois plus rapide.
tour-measure-lesson = La vitesse n’est pas toute la réponse : les deux flux d’une session sont indépendants. Le serveur répond dès que chaque conversion est faite, le client envoie sans attendre, chaque côté peut s’arrêter à tout moment, et l’appel garde son état (la langue, la place sur la connexion) toute sa vie. Des appels unaires, même lancés côte à côte, n’offrent rien de cela.

tour-cancellation-name = Annulation
tour-cancellation-what = Chaque côté peut mettre fin à un appel avant son terme. Quand le client abandonne (Ctrl-C, une fenêtre fermée, un délai à lui), il réinitialise le stream HTTP/2 : le serveur voit l’appel se terminer avec CANCELLED, et doit arrêter le travail qu’il faisait pour lui.
tour-cancellation-example = Ici : un fil des taux EUR/USD ; après trois mises à jour, le client abandonne l’appel. Puis les compteurs du serveur lui-même : comment il a terminé l’appel, et si le fil est encore ouvert.
tour-cancel-mark = le client abandonne l’appel (Ctrl-C fait de même)
tour-cancel-server = Vu du serveur : les appels StreamRates terminés par CANCELLED sont passés de { $before } à { $after } ; les fils ouverts, de { $open_during } à { $open_after }. Le fil s’est arrêté quand son client est parti.
tour-server-view-unknown = La vue du serveur n’est connue qu’avec le serveur de la visite (sans --server) ; voyez le journal de ce serveur.
tour-cancel-lesson = Une annulation n’est pas une erreur du serveur : rien n’allait mal, le client a simplement cessé d’écouter. Aucun en-tête de fin ne revient ; le serveur l’apprend par la réinitialisation.

tour-deadlines-name = Délais
tour-deadlines-what = Un délai dit combien de temps le client attendra l’appel entier. Il voyage dans l’en-tête grpc-timeout (un nombre et une unité : m pour les millisecondes, u pour les microsecondes), le serveur le connaît donc aussi ; une fois passé, les deux côtés terminent l’appel avec DEADLINE_EXCEEDED, et le serveur cesse de travailler à une réponse que personne ne lira.
tour-deadlines-example = Ici : un fil des taux EUR/USD demandé avec un délai de 900 ms, sans limite de mises à jour.
tour-deadline-client = Le client a vu { $code } après { $millis } ms et { $updates } mises à jour.
tour-deadline-not-ended = Le serveur n’a pas terminé l’appel à son délai ; la visite l’a terminé elle-même.
tour-deadline-server = Vu du serveur : les appels StreamRates terminés par DEADLINE_EXCEEDED sont passés de { $before } à { $after }.
tour-deadline-lesson = Mettez un délai à chaque appel, et transmettez ce qu’il en reste aux appels que vous faites pour lui : un délai non transmis laisse du travail se faire pour personne. `bank rates --deadline 2s` fait de même en ligne de commande.

tour-errors-name = Un statut ou une erreur dans le flux
tour-errors-what = Un appel se termine par un seul statut. Un appel unaire qui échoue n’a pas de réponse, seulement son statut : le code, un message, et des détails comme google.rpc.BadRequest qui nomme le champ fautif. Un flux est différent : un statut d’erreur le terminerait pour toutes les requêtes à venir.
tour-errors-example = Ici : le montant « 1e5 » (un nombre pour beaucoup d’analyseurs, pas un montant ici), d’abord dans un Convert unaire, puis comme deuxième de trois requêtes d’une session.
tour-errors-status = L’appel unaire s’est terminé par { $code } : aucun message de réponse, le statut seul, avec BadRequest qui nomme le champ amount.
tour-errors-in-band = La session a répondu { $answered } conversions et { $refused } refus, chacun dans sa propre réponse, et s’est terminée par OK.
tour-errors-lesson = Une session répond donc à une mauvaise requête par une réponse (SessionReply.error) et continue, un lot liste ses éléments refusés dans son bilan ; un statut d’erreur est réservé à ce qui termine l’appel entier : un mauvais jeton, le serveur qui s’arrête, un délai.

tour-slow-reader-name = Un lecteur lent
tour-slow-reader-what = Un fil des taux ne peut pas attendre son lecteur le plus lent, ni lui garder en file des taux périmés. Le contrôle de flux d’HTTP/2 dit au serveur ce que le client est prêt à recevoir ; quand le client ne lit pas, le serveur cesse d’envoyer, et ce serveur envoie alors la dernière période de cotation, pas celles d’entre-temps.
tour-slow-reader-example = Ici : un fil des taux EUR/USD sur une connexion dont les streams ont une fenêtre de 64 octets, lu une fois toutes les quelques périodes.
tour-slow-pause = le client ne lit rien pendant { $millis } ms
tour-slow-gap = périodes n° { $from } à n° { $to } sautées : { $skipped }
tour-slow-summary = { $read } mises à jour lues, { $skipped } périodes sautées ; la fenêtre était de { $window } octets, le serveur n’a donc jamais eu plus d’une mise à jour en route.
tour-slow-server = Vu du serveur : { $skipped } périodes sautées pour des lecteurs lents, en comptant la mise à jour qui était en route quand le client est parti.
tour-slow-lesson = La sémantique de la dernière valeur : un lecteur qui ne suit pas voit moins de taux, jamais de taux périmés, et ne coûte aucune mémoire au serveur. Un lecteur qui a besoin de chaque période demande celles qu’il a manquées (chapitre suivant). `bank rates --slow 1s` le montre en ligne de commande.

tour-resume-name = Reprendre un flux
tour-resume-what = gRPC ne reprend pas un flux interrompu : un appel terminé est fini. La reprise est l’affaire du protocole, et celui-ci la rend exacte : chaque mise à jour porte le numéro de sa période, et StreamRates.from_sequence repart de n’importe quelle période récente.
tour-resume-example = Ici : un fil des taux EUR/USD coupé après trois mises à jour, puis repris à la période qui suit la dernière vue.

tour-choosing-title = Choisir un modèle
tour-choosing-unary = À choisir quand la réponse tient dans un message et que le client l’attend.
tour-choosing-unary-not = Pas pour un taux qui change à chaque période : redemander sans cesse manque des changements et paie un appel à chaque fois ; un fil des taux, c’est le flux serveur.
tour-choosing-server-streaming = À choisir quand le serveur a une suite de choses à dire sur une question : taux, progression, notifications.
tour-choosing-server-streaming-not = Pas pour une seule grosse réponse : envoyez-la en un message, ou en pages d’appels unaires que l’on peut réessayer une à une.
tour-choosing-client-streaming = À choisir quand le client a beaucoup d’éléments et veut une réponse sur l’ensemble : envois de fichiers, lots.
tour-choosing-client-streaming-not = Pas quand chaque élément doit avoir sa réponse tout de suite : la réponse ne vient qu’à la fin ; c’est le bidirectionnel.
tour-choosing-bidi = À choisir pour une conversation : chaque côté envoie quand il est prêt, sur un appel qui garde son état.
tour-choosing-bidi-not = Pas pour une seule question : un appel unaire est plus simple à réessayer, mettre en cache, répartir entre serveurs et déboguer.

## bank bench
bench-progress = { $elapsed } s / { $planned } s · { $count } { $unit } ({ $rate } dans la dernière seconde)
bench-progress-requests = requêtes
bench-progress-updates = mises à jour
bench-progress-items = éléments envoyés
bench-progress-replies = réponses
bench-requests = Requêtes
bench-throughput = Requêtes par seconde
bench-server-cpu = CPU serveur par appel
bench-latency = Latence
bench-errors = Erreurs
bench-subscribers = Abonnés
bench-pairs = Paires par abonné
bench-updates = Mises à jour reçues
bench-updates-rate = Mises à jour par seconde
bench-skipped = Périodes sautées
bench-server-rss = Mémoire du serveur (RSS) à la fin
bench-server-rss-before = Mémoire du serveur (RSS) avant
bench-lag = Retard de livraison
bench-items = Éléments
bench-duration = Durée
bench-items-rate = Éléments par seconde
bench-rss-growth = Croissance de la mémoire du serveur (pic de RSS)
bench-verified = Totaux vérifiés
bench-yes = oui
bench-no = non
bench-conversions = Conversions
bench-window = Fenêtre (requêtes en cours)
bench-conversions-rate = Conversions par seconde
bench-progress-stalled = flux tenus sans lecture
bench-connections = Connexions
bench-stall-feeds = Flux tenus sans lecture
bench-stall-pairs = Paires par flux
bench-stall-held = Tenus pendant
bench-stall-ended = Terminés par le serveur (codes de statut)
bench-stall-open = Encore ouverts à la fin
bench-stall-rss-held = Mémoire du serveur (RSS) pendant l’attente
bench-stall-per-feed = Mémoire du serveur par flux tenu
bench-history-ticks = Périodes de cotation par appel
bench-latency-median = Latence (médiane)
bench-latency-max = Latence (la plus lente)

## Aide de la ligne de commande et erreurs d’utilisation
# Les titres de l’aide s’écrivent tels qu’affichés, deux-points compris.
help-usage = Utilisation :
help-heading-commands = Commandes :
help-heading-options = Options :
help-heading-arguments = Arguments :
help-flag = Afficher l’aide
help-version = Afficher la version
help-bank = bank : convertir des devises, suivre le fil des taux, envoyer des lots et tenir des sessions de conversion avec un service bancaire. Codes de sortie : 0 succès ; 1 le serveur a refusé une requête ou des éléments d’un lot ; 2 erreur d’utilisation ; 3 serveur injoignable ou indisponible ; 130 interrompu par Ctrl-C (bank rates sort avec 0 : Ctrl-C est sa façon de s’arrêter).
help-bank--server = URL du serveur (par défaut http://127.0.0.1:50051, ou BANK_SERVER) ; plusieurs répliques séparées par des virgules, pour répartir les appels entre elles et ignorer celles qui sont arrêtées. Sans elle, bank tour démarre son propre serveur, intégré à la visite.
help-bank--lang = Langue de toute la sortie : en ou fr (par défaut d’après LANGUAGE, puis LC_ALL, LC_MESSAGES ou LANG : une locale fr* donne le français).
help-bank--json = Sortie JSON pour les scripts (un objet, ou un par ligne pour les flux), identique dans toutes les langues.
help-bank--timeout = Délai maximal de chaque attente du serveur : la connexion, chaque appel unaire, la réponse à l’ouverture d’un flux, et la réponse à un ping envoyé à cet intervalle tant qu’un flux dure ; par exemple 5s ou 500ms (10s par défaut).
help-bank--ca = Certificat d’autorité (PEM) pour vérifier un serveur https:// (ou BANK_CA) ; par défaut : le magasin de confiance du système.
help-bank--cert = Certificat client (PEM) pour les serveurs qui exigent le TLS mutuel (ou BANK_CERT) ; demande --key.
help-bank--key = Clé privée (PEM) de --cert (ou BANK_KEY).
help-bank--compress = Compresser chaque message envoyé, et accepter des réponses compressées : gzip, zstd ou none (par défaut).
help-bank--token = Jeton d’API envoyé à chaque appel dans authorization: Bearer (ou BANK_TOKEN).
help-currencies = Lister les devises prises en charge (unaire).
help-watch = Observer chaque appel que voit le serveur, de n’importe quel client (la vue de classe de bank-server --classroom) : une flèche par message, chaque ligne commençant par le numéro de l’appel et sa connexion. Ctrl-C arrête.
help-watch--calls = S’arrêter après la fin de ce nombre d’appels (sans cette option, l’observation continue jusqu’à Ctrl-C).
help-convert = Convertir un montant (unaire), par exemple bank convert 100 USD EUR.
help-convert--amount = Le montant, par exemple 100 ou 12,50.
help-convert--from = Devise du montant (code ISO 4217, majuscules ou minuscules).
help-convert--to = Devise vers laquelle convertir.
help-convert--id = Un identifiant de requête à envoyer, renvoyé tel quel.
help-convert--at = Calculer la conversion au taux en vigueur à cet instant passé : RFC 3339 (2026-11-24T09:30:00Z) ou une durée écoulée (90m, 7d) ; le serveur garde 400 jours.
help-history = Les bougies d’une paire sur une période passée (unaire), par exemple bank history EUR/USD --from 1d --interval 1h. Un graphique sur un terminal, du CSV dans un tube, des lignes JSON avec --json.
help-history--pair = La paire, par exemple EUR/USD.
help-history--from = Début de la période : RFC 3339, ou une durée écoulée comme 90m ou 7d (par défaut : il y a une heure).
help-history--to = Fin de la période, exclue : RFC 3339 ou une durée écoulée (par défaut : maintenant).
help-history--interval = Durée d’une bougie, un nombre entier de périodes de cotation, par exemple 1m ou 1h (par défaut : ce qui tient dans la largeur du terminal).
help-help = L’aide d’une commande, par exemple bank help convert ou bank help bench feed.
help-help--command = La commande, par exemple convert, ou bench feed.
help-completions = Un script de complétion pour un shell, par exemple bank completions bash > ~/.local/share/bash-completion/completions/bank.
help-completions--shell = Le shell : bash, zsh, fish, elvish ou powershell.
help-man = Une page de manuel (roff), par exemple bank man | man -l -, ou bank man convert ; bank man --dir DOSSIER écrit la page de chaque commande (bank.1, bank-convert.1…).
help-man--command = La commande dont imprimer la page, par exemple convert, ou bench feed ; sans elle : la page de bank.
help-man--dir = Écrire plutôt la page de chaque commande dans ce dossier (pour MANPATH).
man-manual = Manuel du service bancaire
man-heading-name = NOM
man-heading-synopsis = SYNOPSIS
man-heading-description = DESCRIPTION
man-heading-options = OPTIONS
man-heading-subcommands = COMMANDES
man-heading-version = VERSION
man-heading-authors = AUTEURS
help-rates = Suivre le fil des taux en direct (flux serveur), par exemple bank rates EUR/USD GBP/USD.
help-rates--pairs = Paires comme EUR/USD (le prix d’un EUR en USD) ; sans paire, toutes les devises contre l’USD.
help-rates--count = S’arrêter après ce nombre de mises à jour, 1 ou plus, reconnexions comprises (sans cette option, le flux continue jusqu’à Ctrl-C).
help-rates--since = Rejouer d’abord les périodes de cotation de cette dernière durée (comme 90s, 10m ou 1h), puis suivre en direct ; le serveur en garde un jour.
help-rates--from_sequence = Rejouer d’abord depuis ce numéro de période de cotation (une séquence qu’un flux a montrée), puis suivre en direct.
help-rates--slow = Lire une mise à jour par durée indiquée (par exemple 500ms, au plus 10s), pour voir le serveur sauter des périodes de cotation pour un lecteur lent : chaque saut est affiché. La fenêtre de réception de la connexion est réduite, pour que le serveur sente aussitôt la lenteur.
help-batch = Convertir un fichier CSV en un seul lot (flux client). Lignes montant,de,vers[,id], ou montant,de[,id] avec --to ; en-tête facultatif ; le fichier est envoyé ligne par ligne.
help-batch--file = Fichier CSV à lire, ou - pour l’entrée standard (par défaut).
help-batch--to = Convertir chaque ligne vers cette devise (les lignes omettent alors la cible).
help-batch--delimiter = Séparateur de champs du fichier, un caractère ASCII (, par défaut), par exemple ';'.
help-batch--at = Calculer chaque ligne au taux en vigueur à cet instant passé : RFC 3339 ou une durée écoulée (90m, 7d).
help-session = Tenir une session de conversion (flux bidirectionnel) : saisissez des lignes comme 100 USD EUR et recevez chaque réponse dès qu’elle est calculée.
help-session--at = Calculer chaque conversion au taux en vigueur à cet instant passé : RFC 3339 ou une durée écoulée (90m, 7d).
help-tour = Visite guidée des quatre modèles gRPC, en direct, en français ou en anglais. Sans --server, elle démarre son propre serveur, intégré à la visite : rien d’autre n’a besoin de tourner.
help-tour--model = Ne montrer que ce chapitre : un modèle (unary, server-streaming, client-streaming, bidi) ou une leçon (cancellation, deadlines, errors, slow-reader, resume).
help-tour--no_pause = Ne pas attendre Entrée entre deux chapitres.
help-bench = Tester un serveur sous charge : un banc d’essai par modèle gRPC, plus une référence du framework (voir BENCHMARKS.md).
help-bench-convert = Convert unaire avec des paires et des montants variés, chaque réponse vérifiée.
help-bench-baseline = La même charge sur grpc.health.v1.Health/Check, un appel presque vide : le plafond du framework.
help-bench-feed = De nombreux abonnés StreamRates simultanés : mises à jour par seconde, retard de livraison, périodes sautées, mémoire du serveur.
help-bench-batch = Un ConvertBatch d’éléments générés : éléments par seconde, récapitulatif vérifié, croissance de la mémoire du serveur.
help-bench-session = Une ConvertSession en pipeline : conversions par seconde et latence.
help-bench-stall = Des flux StreamRates ouverts et jamais lus, pour que leurs fenêtres de réception se remplissent et que les envois du serveur se bloquent : combien le serveur en termine, avec quel statut, et ce qu’ils lui coûtent en mémoire.
help-bench-stall--feeds = Flux à ouvrir sans jamais les lire (1000 par défaut).
help-bench-stall--connections = Connexions HTTP/2 qu’ils se partagent (10 par défaut).
help-bench-stall--pairs = Paires par flux (256 par défaut, le plus qu’un flux puisse demander) : plus chaque mise à jour est grosse, plus vite les fenêtres se remplissent.
help-bench-stall--duration = Combien de temps les tenir, par exemple 30s (par défaut).
help-bench-history = GetRateHistory sur de nombreuses périodes de cotation, un appel après l’autre : la latence d’un appel, pour lequel le serveur évalue chaque période de cotation de l’intervalle demandé.
help-bench-history--ticks = Périodes de cotation couvertes par appel, en 1 000 bougies (par défaut 1000000).
help-bench-history--calls = Appels, l’un après l’autre (par défaut 20).
help-bench-history--pair = La paire (par défaut EUR/USD).
help-bench-replay = Un flux StreamRates qui rejoue de nombreuses périodes de cotation passées, lues aussi vite qu’elles arrivent : les mises à jour par seconde qu’obtient un lecteur.
help-bench-replay--ticks = Périodes de cotation à rejouer, au plus la fenêtre de reprise du serveur (par défaut 86400).
help-bench-replay--pair = La paire (par défaut EUR/USD).
help-arg-connections = Connexions HTTP/2 sur lesquelles répartir la charge (4 par défaut ; 10 pour feed).
help-arg-concurrency = Requêtes en cours en même temps, en boucle fermée (256 par défaut).
help-arg-duration = Durée de l’essai, par exemple 10s (par défaut).
help-arg-requests = S’arrêter après exactement ce nombre de requêtes au total, au lieu de --duration.
help-arg-rate = Boucle ouverte : ce nombre de requêtes par seconde au total ; la latence compte alors depuis l’heure d’envoi prévue.
help-arg-server_pid = Identifiant de processus du serveur, pour son temps CPU et sa mémoire (par défaut : le seul processus nommé bank-server ici, s’il y en a un).
help-arg-subscribers = Abonnés simultanés (1000 par défaut).
help-arg-pairs = Paires par abonné (3 par défaut, 12 au plus).
help-arg-items = Éléments à envoyer (1000000 par défaut).
help-arg-window = Requêtes en cours en même temps sur la session (256 par défaut).
help-arg-deadline = Un délai gRPC sur tout l’appel, par exemple 30s ou 5m (envoyé dans grpc-timeout) : quand il expire, le serveur termine l’appel avec DEADLINE_EXCEEDED et la commande sort avec 3, en gardant ce qu’elle a affiché.
error-usage-invalid-value = « { $value } » n’est pas une valeur valide pour { $arg }.
error-usage-unknown-argument = Option inconnue : { $arg }.
error-usage-unknown-command = Commande inconnue : « { $command } ».
error-usage-missing = Il manque : { $args }.
error-usage-missing-command = Une commande est nécessaire, comme convert, rates, batch, session ou tour.
error-usage-other = Cette ligne de commande n’est pas utilisable telle quelle.
error-usage-valid-values = Valeurs possibles : { $values }.
error-usage-duration-without-unit = { $arg } demande une unité après son nombre, comme { $value }s ou { $value }ms.
error-usage-duration-not-positive = { $arg } doit être supérieur à zéro.
error-usage-duration-malformed = « { $value } » n’est pas une durée pour { $arg } ; écrivez un nombre et une unité, comme 500ms, 5s, 2m ou 1h.
error-usage-duration-too-long = { $arg } ne peut pas dépasser { $max }.
error-usage-instant-malformed = « { $value } » n’est pas un instant pour { $arg } ; écrivez une date RFC 3339 comme 2026-11-24T09:30:00Z, ou une durée écoulée comme 90m ou 7d.
error-usage-instant-before-1970 = « { $value } » pour { $arg } remonte avant 1970.
error-usage-amount-negative = Un montant ne peut pas être négatif ({ $value }) ; pour convertir dans l’autre sens, inversez les devises.
error-usage-hint = Voir bank --help, ou bank COMMANDE --help.

## bank-server --help et sa page de manuel (les valeurs par défaut et les variables sont les notes de clap)
help-bank-server = Un service bancaire de conversion de devises en gRPC : de la monnaie décimale exacte, un fil des taux simulé à partir d’une graine, et les quatre modèles gRPC.
help-bank-server--addr = Adresse d’écoute : IP:PORT ou HÔTE:PORT (un nom est résolu au démarrage, en préférant une adresse IPv4 : localhost:50051 écoute sur 127.0.0.1).
help-bank-server--workers = Fils d’exécution du runtime, de la forme que choisit --runtime. Par défaut : un par processeur que ce processus peut utiliser (son masque d’affinité et son quota CPU de cgroup), et un runtime à un seul fil quand il n’y en a qu’un. 1 lance un runtime à un seul fil, la forme la plus rapide quand le serveur doit s’en tenir à un cœur (par exemple à côté d’un générateur de charge sur une petite machine).
help-bank-server--runtime = La forme du runtime pour ces fils : auto (un runtime à un seul fil pour un fil ; pour plusieurs, per-core sous Linux, la plus rapide mesurée, et multi-thread ailleurs), current-thread (un seul fil), multi-thread (des workers qui se partagent les tâches) ou per-core (un runtime à un seul fil par fil d’exécution, chacun avec sa propre socket d’écoute sur le même port, SO_REUSEPORT ; Linux seulement).
help-bank-server--tls_cert = Chaîne de certificats (PEM) pour servir en TLS ; demande --tls-key.
help-bank-server--tls_key = Clé privée (PEM) de --tls-cert.
help-bank-server--tls_client_ca = Certificat(s) d’autorité (PEM) pour le TLS mutuel : chaque client doit présenter un certificat signé par l’un d’eux. Demande --tls-cert et --tls-key.
help-bank-server--auth_tokens = Fichier de jetons d’API, un par ligne, terminé par un saut de ligne (lignes vides et commentaires # ignorés) ; chaque appel au BankService demande alors authorization: Bearer <jeton>. Relu sur SIGHUP : remplacez-le de façon atomique (écrire un nouveau fichier, puis le renommer par-dessus l’ancien).
help-bank-server--metrics_addr = Servir les métriques Prometheus à cette adresse (GET /metrics, HTTP/1.1 en clair). Désactivé sans elle.
help-bank-server--web_addr = Servir la page et BankService en gRPC-Web à cette adresse (HTTP/1.1 en clair, pour les navigateurs). Désactivé sauf si donné.
help-bank-server--web_origin = Une origine (schéma://hôte:port) dont les pages peuvent appeler le service en gRPC-Web (CORS) ; à répéter pour plusieurs, ou séparées par des virgules dans la variable. La page servie sur --web-addr n’en a pas besoin.
help-bank-server--classroom = Servir la vue de classe : ClassroomService.WatchCalls montre chaque appel à BankService (métadonnées masquées, messages, fin) à qui le regarde, avec bank watch ou la page. Désactivé par défaut : elle montre le trafic d’un appelant à un autre.
help-bank-server--log_format = Format des journaux sur la sortie d’erreur : text pour les personnes (en couleur sur un terminal), json (un objet par ligne) pour les chaînes de traitement.
help-bank-server--man = Imprimer la page de manuel de ce programme (roff) et quitter : bank-server --man | man -l -. Dans la langue de LANGUAGE, LC_ALL, LC_MESSAGES ou LANG, comme cette aide.
help-bank-server--seed = Graine de la simulation des taux ; des serveurs de même graine publient les mêmes cotations pour la même période de cotation. Par défaut : au hasard (journalisée au démarrage).
help-bank-server--tick_ms = Durée d’une période de cotation, en millisecondes.
help-bank-server--spread_bps = Écart entre achat et vente, en points de base du taux moyen (20 = 0,20 %).
help-bank-server--grace_period = Combien de temps un arrêt attend les appels en cours, en millisecondes.
help-bank-server--max_feeds = Abonnements au fil des taux (StreamRates) ouverts à la fois. Un de plus est refusé aussitôt avec RESOURCE_EXHAUSTED ; ceux qui sont ouverts ne sont pas touchés.
help-bank-server--max_sessions = Sessions (ConvertSession) ouvertes à la fois. Une de plus est refusée aussitôt avec RESOURCE_EXHAUSTED ; les sessions ouvertes ne sont pas touchées.
help-bank-server--max_batches = Lots (ConvertBatch) traités à la fois. Un de plus est refusé aussitôt avec RESOURCE_EXHAUSTED.
help-bank-server--max_feeds_per_connection = Abonnements au fil des taux ouverts à la fois sur une connexion cliente, pour qu’une connexion ne puisse pas prendre tous ceux du serveur.
help-bank-server--max_sessions_per_connection = Sessions ouvertes à la fois sur une connexion cliente.
help-bank-server--idle_timeout = Combien de temps un lot ou une session peut rester sans message de son client avant que le serveur ne le termine avec CANCELLED et libère sa place, par exemple 90s ou 5m.
help-bank-server--handshake_timeout = Délai dont dispose une nouvelle connexion pour achever sa négociation TLS et envoyer le préambule HTTP/2, par exemple 10s.
help-bank-server--max_connection_age = Âge auquel on demande à une connexion de partir (GOAWAY) : le client se reconnecte pour ses appels suivants et présente de nouveau son jeton d’API, par exemple 1h.
help-bank-server--max_connection_age_grace = Combien de temps les appels en cours continuent une fois leur connexion à son âge maximal, avant de finir avec UNAVAILABLE, par exemple 5m.
help-bank-server--stall_limit = Combien de temps un appel peut avoir une réponse en attente pendant que son client ne lit rien, avant que le serveur ne le termine avec RESOURCE_EXHAUSTED et libère sa place, par exemple 30s.
help-bank-server--concurrency_per_connection = Appels en cours à la fois sur une connexion cliente (un lot compte jusqu’à son bilan, un flux ou une session seulement pendant son ouverture). Un de plus est refusé aussitôt avec RESOURCE_EXHAUSTED plutôt que mis en attente.
