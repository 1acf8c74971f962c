# Les mots de la page en français ; mêmes identifiants que locales/en.ftl.
page-title = Service bancaire
page-lede = Cours en direct et conversions exactes, en gRPC-Web depuis cette page.
language-label = Langue
board-title = Cours en direct
board-explain = StreamRates : une requête, puis une mise à jour à chaque tick (flux serveur).
board-pairs = Paires
board-start = Suivre
board-stop = Arrêter
board-sequence = Tick { $sequence }
board-skipped = { $count ->
    [one] un tick sauté
   *[other] { $count } ticks sautés
}
board-idle = Aucun suivi en cours.
board-waiting = En attente du premier tick…
board-ended = Le flux s’est terminé : { $reason }
board-loading = Chargement de l’historique de chaque paire…
chart-explain = Chaque graphique commence par le passé de la paire, reçu de GetRateHistory (unaire), puis continue avec le flux à partir du tick suivant ; aucun tick n’est perdu ni dessiné deux fois. Une bougie creuse est montée, une bougie pleine a baissé ; une bande rouge aux bords en pointillés marque les ticks jamais arrivés. Placez le focus sur un graphique et lisez ses bougies une à une avec les flèches du clavier.
chart-interval = Bougies de
chart-interval-ticks = { $ticks ->
    [one] un tick
   *[other] { $ticks } ticks
}
chart-interval-duration = { $ticks ->
    [one] un tick
   *[other] { $ticks } ticks
} ({ $duration })
chart-loading = Chargement de l’historique…
chart-failed = Pas d’historique : { $reason }
chart-candle = { $time } : ouverture { $open }, plus haut { $high }, plus bas { $low }, clôture { $close } (ticks { $first } à { $last })
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
convert-rate = Cours { $rate }, tick { $sequence } ({ $time })
convert-busy = Conversion…
convert-at = À l’instant (facultatif)
convert-at-hint = Vide : le tick en cours. Un instant passé, à votre heure locale, convertit au cours du tick de cet instant, exactement comme il fut appliqué alors.
token-label = Jeton
token-hint = Nécessaire seulement si le serveur est lancé avec --auth-tokens.
error-code = Erreur { $code }
