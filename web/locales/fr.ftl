# Les mots de la page en français ; mêmes identifiants que locales/en.ftl.
page-title = Service bancaire
page-lede = Taux en direct et conversions exactes, en gRPC-Web depuis cette page.
language-label = Langue
board-title = Taux en direct
board-explain = StreamRates : une requête, puis une mise à jour à chaque période de cotation (flux serveur).
board-pairs = Paires
board-start = Suivre
board-stop = Arrêter
board-sequence = Période n° { $sequence }
board-skipped = { $count ->
    [one] une période de cotation sautée
   *[other] { $count } périodes de cotation sautées
}
board-idle = Aucun suivi en cours.
board-waiting = En attente de la première mise à jour…
board-ended = Le fil des taux s’est terminé : { $reason }
board-loading = Chargement de l’historique de chaque paire…
chart-explain = Chaque graphique commence par le passé de la paire, reçu de GetRateHistory (unaire), puis continue avec le fil des taux à partir de la période de cotation suivante ; aucune période n’est perdue ni dessinée deux fois. Une bougie creuse est montée, une bougie pleine a baissé ; une bande rouge aux bords en pointillés marque les périodes de cotation dont la mise à jour n’est jamais arrivée. Placez le focus sur un graphique et lisez ses bougies une à une avec les flèches du clavier.
chart-interval = Bougies de
chart-interval-ticks = { $ticks ->
    [one] { $ticks } période
   *[other] { $ticks } périodes
}
chart-interval-duration = { $ticks ->
    [one] { $ticks } période
   *[other] { $ticks } périodes
} ({ $duration })
chart-loading = Chargement de l’historique…
chart-failed = Pas d’historique : { $reason }
chart-candle = { $time } : ouverture { $open }, plus haut { $high }, plus bas { $low }, clôture { $close } (périodes n° { $first } à { $last })
chart-label = Graphique en bougies de { $pair }, bougies de { $interval }
column-pair = Paire
column-bid = Achat
column-mid = Milieu
column-ask = Vente
convert-title = Convertir
convert-explain = Convert : une requête, une réponse (unaire).
convert-amount = Montant
convert-from = De
convert-to = Vers
convert-submit = Convertir
convert-result = { $amount } { $from } = { $converted } { $to }
convert-rate = Taux { $rate }, période de cotation n° { $sequence } ({ $time })
convert-busy = Conversion…
convert-at = À l’instant (facultatif)
convert-at-hint = Vide : la période de cotation en cours. Un instant passé, à votre heure locale, convertit au taux en vigueur à cet instant, exactement comme il fut appliqué alors.
token-label = Jeton
token-hint = Nécessaire seulement si le serveur est lancé avec --auth-tokens.
error-code = Erreur { $code }

## Les quatre modèles (models.ts, classroom.ts, labels.ts)
models-title = Les quatre modèles
models-explain = En gRPC, un appel échange ses messages de quatre façons. Chacune est expliquée ci-dessous, avec sa RPC telle qu’écrite dans proto/bank/v1/bank.proto, et dessinée en direct à partir d’appels réels : une ligne de vie par appel, chaque message une flèche avec son instant depuis le début de l’appel et sa taille en protobuf à côté de la taille des mêmes données en JSON.
models-unary-name = Unaire
models-unary-what = Une requête, une réponse : la forme d’un appel de fonction ordinaire, à travers le réseau.
models-unary-when = À choisir dès que la réponse tient en un message et que le client l’attend : la plupart des API ne font que cela.
models-unary-try = Convertissez un montant plus haut : l’appel est dessiné ici.
models-server-streaming-name = Flux serveur
models-server-streaming-what = Une requête, puis un flux de réponses tant que le serveur a quelque chose à dire.
models-server-streaming-when = À choisir pour les mises à jour continues et le suivi d’avancement : taux, journaux, notifications. Pas d’interrogation répétée ; un lecteur lent saute directement au dernier état au lieu d’obliger le serveur à accumuler les anciens.
models-server-streaming-try = Suivez des taux plus haut : le fil des taux est dessiné ici, une période de cotation après l’autre ; Arrêter l’annule.
models-client-streaming-name = Flux client
models-client-streaming-what = Un flux de requêtes, puis une seule réponse quand le client a fini d’envoyer.
models-client-streaming-when = À choisir pour les envois et les lots : le client envoie au fil de sa lecture, le serveur agrège au fil de la réception, personne ne garde le fichier entier en mémoire.
models-client-streaming-try = Lancez ceci dans un terminal (bank batch) :
models-bidi-name = Flux bidirectionnel
models-bidi-what = Sur un seul appel, les deux côtés émettent en même temps, chacun à son rythme : requêtes et réponses s’entrelacent.
models-bidi-when = À choisir pour les conversations : messagerie, écrans de marché, une caisse qui convertit chaque vente à la volée.
models-bidi-try = Lancez ceci dans un terminal, puis tapez une conversion par ligne, par exemple 100 USD EUR : chaque réponse arrive pendant que la session reste ouverte, si bien que requêtes et réponses s’entrelacent au fil de la frappe (Ctrl-D la termine ; bank --server URL tour montre les quatre modèles) :
models-no-calls = Aucun appel pour l’instant.
models-no-calls-classroom = Aucun appel pour l’instant : lancez la commande ci-dessus, ou tout autre client de ce serveur ; avec la vue de classe active, l’appel est dessiné ici tel que le serveur le voit.
models-browser-title = Pourquoi cette page ne peut pas faire les deux autres appels
models-browser-why = Un navigateur parle gRPC-Web, au moyen de fetch, et fetch envoie tout le corps de la requête avant que la réponse puisse être lue : le corps d’une requête ne peut pas rester ouvert et couler pendant que la réponse arrive. Une page peut donc envoyer une requête et lire une ou plusieurs réponses (unaire, flux serveur), mais pas envoyer un flux de requêtes (flux client, bidirectionnel).
models-browser-run = Ces appels sont faits par un programme qui parle lui-même gRPC, comme le client en ligne de commande bank ; avec la vue de classe active, cette page les dessine tels que le serveur les voit.
models-grpc-url = Adresse gRPC de ce serveur
models-grpc-url-note = Cette page ne connaît que sa propre adresse : le port indiqué est le port gRPC par défaut de bank-server (--addr). Corrigez-le si le serveur écoute ailleurs, et écrivez https:// s’il a TLS.
models-grpc-url-known = Le port est celui que ce serveur a indiqué ; l’hôte est celui d’où vient cette page. Corrigez l’hôte si les autres joignent le serveur par un autre nom.
models-copy = Copier
models-copied = Copié
models-copy-select = Sélectionné : appuyez sur Ctrl-C
classroom-connecting = Connexion à la vue de classe…
classroom-watching = Chaque appel que reçoit ce serveur, de n’importe quel client, est suivi (la vue de classe).
classroom-missed = { $count ->
    [one] un événement manqué (cette page a lu trop lentement)
   *[other] { $count } événements manqués (cette page a lu trop lentement)
}
classroom-off = Ce serveur tourne sans la vue de classe : seuls les appels de cette page sont dessinés (tels que le navigateur les voit). Pour voir les appels de tous les clients, bank batch et bank session compris, démarrez-le avec :
classroom-off-why = Elle est désactivée par défaut, car elle montre le trafic d’un appelant à un autre.
classroom-refused = La vue de classe a été refusée : { $code }. Ce serveur demande un jeton : saisissez-le dans le champ du jeton ; la page réessaie dès qu’il change.
classroom-ended = La vue de classe s’est terminée : { $reason }
classroom-again = Suivre à nouveau
classroom-stream-closed = le serveur l’a fermée
models-at = +{ $ms } ms
models-message = { $type } · { $encoded } o en protobuf · { $json } o en JSON
models-message-compressed = { $type } · { $encoded } o compressés
models-half-close = demi-fermeture (END_STREAM) : le client n’enverra plus rien
models-cancel = RST_STREAM (CANCEL) : le client abandonne l’appel, aucun en-tête de fin (trailers) ne revient
models-skipped-ticks = { $count ->
    [one] une période de cotation sautée : le fil des taux est passé à la plus récente
   *[other] { $count } périodes de cotation sautées : le fil des taux est passé à la plus récente
}
models-skipped-events = { $count ->
    [one] un événement manqué par cette page (son appel est inconnu)
   *[other] { $count } événements manqués par cette page (leurs appels sont inconnus)
}
models-trailers = en-têtes de fin (trailers) : { $status }
models-trailers-reason = raison { $reason }
models-trailers-fields = champs en cause : { $fields }
models-lane-page = cette page
models-lane-client = { $connection } · stream HTTP/2 { $stream }
models-lane-server = bank-server
models-call-page = { $method } · appel { $id } de cette page
models-call-classroom = { $method } · appel { $id }
models-seen-page = Vu par le navigateur (sans vue de classe).
models-seen-classroom = Vu par le serveur (vue de classe).
models-open = En cours.
models-ended = Terminé : { $status } après { $ms } ms
models-cause-cancelled = annulé par le client
models-cause-deadline = son délai a expiré
models-deadline = Délai { $deadline } ms
models-deadline-left = Délai { $deadline } ms · reste { $left } ms
models-folded = { $count ->
    [one] une flèche repliée (les premières et les plus récentes sont gardées)
   *[other] { $count } flèches repliées (les premières et les plus récentes sont gardées)
}
models-show-message = Le message
models-json-cut = (coupé)
models-mermaid = Texte Mermaid
models-mermaid-label = Cet appel en diagramme de séquence Mermaid
models-mermaid-copied = Copié dans le presse-papiers.
models-mermaid-select = Le texte est sélectionné : copiez-le.
models-projector = Projecteur
models-projector-leave = Quitter le projecteur (Échap)
models-masked = { $count ->
    [one] une autre valeur masquée
   *[other] { $count } autres valeurs masquées
}
